// Comptoir's service worker, version {{ config.version }}. The server writes this file: every file it
// precaches is revisioned by a hash of its content, so a deploy changes these bytes and the browser
// installs the new worker, which waits until the associate accepts the update.
importScripts({{ workbox|tojson }});
self.COMPTOIR = {{ config|tojson }};
workbox.setConfig({ modulePathPrefix: self.COMPTOIR.workbox, debug: false });
// The worker's modules (static/worker/), each under its revision, in order: each uses those before it.
{%- for script in scripts %}
importScripts({{ script|tojson }});
{%- endfor %}
