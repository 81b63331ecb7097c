"""Published data built once and served many times (issue 16, point 4).

A published version never changes, so what the portal makes from it — an open-data file, the
tables of a plan's page — is built the first time someone asks (or right after publication)
and stored; later requests serve what was stored, with a strong ETag, a Last-Modified date and
long cache lifetimes, and answer 304 to a client that already has it.

- ``fingerprints``: what a stored thing depends on — the ids of the published versions of a
  scope, and for progress the state of its reports, photos and disbursements;
- ``files``: the open-data files (``PublishedFile``), built under the row's lock so that two
  first requests build once, written to a temporary file as they stream, then stored;
- ``pages``: the rendered tables of a published plan (``PublishedFragment``) and the ETag of a
  public page;
- ``http``: the conditional answer (304) and the cache headers.

These modules write only the portal's own cache rows and files: they read published data through
the portal's selectors and never call another app's services.
"""
