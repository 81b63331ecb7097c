"""Uploaded images made safe to keep: the limits of a photo (``limits``) and its re-encoding
into a new JPEG without metadata, with a thumbnail (``encoding.encode_photo``).

Shared by every app that accepts photos (monitoring's progress photos, the PRA outputs of a
village plan), so it lives in core, which every app may import.
"""
