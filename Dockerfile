# respd in a container: built by .ci/setup (the same script as the README and CI), then run from a
# slim image holding only the shared libraries the binary links, as a non-root user.
#   docker build -t respd . && docker run --rm -p 6379:6379 respd
FROM debian:bookworm-slim AS build
WORKDIR /src
COPY . .
# The runtime package list is derived from the binary itself (ldd -> dpkg -S), so it stays right
# when a new library is linked. On merged-/usr bookworm dpkg knows some libraries only by their
# /lib path and others only by their resolved /usr/lib path: try both.
RUN .ci/setup \
 && strip --strip-debug -o /respd build/respd \
 && ldd build/respd | awk '$2 == "=>" && $3 ~ /^\// {print $3}' \
    | while read -r lib; do dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")"; done \
    | cut -d: -f1 | sort -u > /runtime-packages \
 && cat /runtime-packages

FROM debian:bookworm-slim
COPY --from=build /runtime-packages /tmp/runtime-packages
RUN apt-get update -qq \
 && xargs -a /tmp/runtime-packages apt-get install -y -qq --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && useradd --system --user-group --home-dir /var/lib/respd --create-home --shell /usr/sbin/nologin respd
COPY --from=build /respd /usr/local/bin/respd
COPY --from=build /src/conf/respd.conf /etc/respd/respd.conf
USER respd
WORKDIR /var/lib/respd
EXPOSE 6379
CMD ["respd", "/etc/respd/respd.conf", "--bind", "0.0.0.0"]
