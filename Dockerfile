# syntax=docker/dockerfile:1.7
# The engine's image: built from the workspace in a full Rust image, shipped
# as one static-ish binary on a distroless base that runs as a non-root user
# and has no shell or package manager.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
COPY . .
# Cache mounts keep the registry and build artefacts between builds without
# putting them in a layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin foodiefast \
    && install -D target/release/foodiefast /out/foodiefast

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/foodiefast /usr/local/bin/foodiefast
# The embedded SQLite default writes to the working directory; production
# sets DATABASE_URL to PostgreSQL and mounts nothing.
WORKDIR /home/nonroot
ENV PORT=8080 \
    LOG_FORMAT=json
USER 65532:65532
EXPOSE 8080 4697
ENTRYPOINT ["/usr/local/bin/foodiefast"]
CMD ["serve"]
