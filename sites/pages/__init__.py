"""A person's pages about their sites: the list, one site's posts, a live feed.

Views stay thin; what they read is in ``posts`` (each post's state),
``progress`` (a site's progress bars and ETA), ``chart`` (the SVG) and
``copies`` (local WARC copies). Every action calls the services the admin
and the API call.
"""
