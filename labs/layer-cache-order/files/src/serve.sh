#!/bin/sh
# tidewise: serve the web UI and the predictions API on port 8080.
echo "[tidewise] $(ls /opt/tidewise/vendor | wc -l) dependencies, listening on port 8080"
exec httpd -f -p 8080 -h /app/src/www
