# The worker image: Comprobante and the system libraries WeasyPrint needs for PDFs.
FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY adapters adapters
COPY simulators simulators
COPY starter starter
COPY worker.py pdf_worker.py ./
RUN pip install --no-cache-dir . "psycopg[binary]>=3.2"
USER nobody
CMD ["comprobante", "worker"]
