def unread_messages(request):
    """The number of unread messages for the header (filled in by the messaging issue)."""
    return {}
