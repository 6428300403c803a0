//! Manifests svclab starts from: the Services lesson's backend and its ClusterIP Service.

/// The lesson's example as one multi-document file: a `backend` Deployment of three nginx pods
/// and the `backend-service` ClusterIP Service in front of them.
pub const SEED_MANIFEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
        - name: api
          image: nginx
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: backend-service
spec:
  selector:
    app: backend
  ports:
    - port: 80
      targetPort: 80
  type: ClusterIP
";

/// The file name the editor's manifest is saved as.
pub const SEED_FILENAME: &str = "backend.yaml";
