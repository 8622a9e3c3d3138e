# carbonbench on Debian 12, built by the project's own scripts, serving the
# results store mounted at /carbonbench/results on port 8080
# (docs/serving.md#in-a-container).
FROM debian:12

WORKDIR /carbonbench
COPY . .
# The same two steps as a fresh machine: what is missing, then the program
# and its plugins.
RUN scripts/install_deps.sh && scripts/build.sh app && rm -rf /var/lib/apt/lists/*

VOLUME /carbonbench/results
EXPOSE 8080
ENTRYPOINT ["build/release/bin/carbonbench", "--store", "results/carbonbench.db"]
# Inside the container every interface: who reaches the port is decided by
# `docker run -p` (-p 127.0.0.1:8080:8080 keeps it on this machine).
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
