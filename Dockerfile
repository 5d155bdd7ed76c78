# The Commons image, for compose.yaml: web and worker run from the same image.
FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e .
ENV COMMONS_DATA_DIR=/data
EXPOSE 8000
CMD ["commons", "serve", "--host", "0.0.0.0", "--port", "8000"]
