# Same install as scripts/setup.sh: torch pinned to the CPU build first, then the project.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY policy_search ./policy_search
COPY indexer ./indexer
COPY service ./service
COPY cli ./cli
COPY corpus ./corpus
RUN pip install --no-cache-dir -c constraints.txt torch \
 && pip install --no-cache-dir -c constraints.txt .
RUN policy-search index corpus --out /app/var/index
CMD ["policy-search", "inspect", "corpus/000_c8143b46545451b2.txt"]
