# Same install as scripts/setup.sh: torch pinned to the CPU build first, then the project.
FROM python:3.11-slim
ENV HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 POLICY_SEARCH_INDEX_DIR=/data/index
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY policy_search ./policy_search
COPY indexer ./indexer
COPY service ./service
COPY cli ./cli
COPY corpus ./corpus
# libgomp: LightGBM's OpenMP runtime (the ranker), which the slim image lacks;
# libreoffice-writer-nogui: converts .doc and .wps uploads; libgl1, libglib2.0-0: OpenCV, which the OCR needs
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 libreoffice-writer-nogui libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -c constraints.txt torch \
 && pip install --no-cache-dir -c constraints.txt . \
 && policy-search model build
EXPOSE 8000
# Index the bundled corpus and the national laws on first start (a mounted /data keeps the index and its embedding cache), then serve.
CMD ["sh", "-c", "[ -f /data/index/CURRENT ] || policy-search index corpus --national-laws environment --out /data/index; exec policy-search serve --index /data/index --host 0.0.0.0 --port 8000"]
