# iefconform in a container: the emulator and its mock parties (iefconform serve), or one mock alone
# (iefconform mock KIND). The image holds only the static binary, so build the binary first:
#
#   CGO_ENABLED=0 go build -o iefconform ./cmd/iefconform && docker build -t iefconform:dev .
#
# BASE may name another image for users who can pull one (for example gcr.io/distroless/static);
# the default, scratch, needs no registry.
ARG BASE=scratch
FROM ${BASE}
COPY iefconform /iefconform
# Not root; the built-in policies and features are inside the binary.
USER 65534:65534
EXPOSE 8080 8081 8082 8083 8084 8085 8086 8087 8088
ENTRYPOINT ["/iefconform"]
# Every party on a fixed port, published 1:1 (docker run -p 8080-8088:8080-8088), so the URLs the emulator writes
# work from the host's browser and between the parties alike.
CMD ["serve", "--party", "b2c=0.0.0.0:8080", "--party", "facebook=0.0.0.0:8081", "--party", "linkedin=0.0.0.0:8082", \
     "--party", "contoso=0.0.0.0:8083", "--party", "twitter=0.0.0.0:8084", "--party", "rest=0.0.0.0:8085", \
     "--party", "rest-untrusted=0.0.0.0:8086", "--party", "mailbox=0.0.0.0:8087", "--party", "rp=0.0.0.0:8088"]
# The binary is its own healthcheck (scratch has no curl): /healthz answers 200 once the policies are loaded. It names
# the emulator's port 8080: a container that runs serve elsewhere, `mock KIND` or serve --tls overrides it
# (--health-cmd '/iefconform health URL' or compose's healthcheck:), as harness/container and docker-compose.yml do.
HEALTHCHECK --interval=1s --timeout=3s --retries=60 CMD ["/iefconform", "health", "http://127.0.0.1:8080/healthz"]
