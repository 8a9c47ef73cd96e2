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
CMD ["serve", "--addr", "0.0.0.0:8080"]
# The binary is its own healthcheck (scratch has no curl): /healthz answers 200 once the policies are loaded.
HEALTHCHECK --interval=1s --timeout=3s --retries=60 CMD ["/iefconform", "health", "http://127.0.0.1:8080/healthz"]
