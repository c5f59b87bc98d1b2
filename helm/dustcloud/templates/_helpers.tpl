{{/* Name of every object: the release name, or fullnameOverride. */}}
{{- define "dustcloud.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dustcloud.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "dustcloud.labels" -}}
{{ include "dustcloud.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: dustcloud
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "dustcloud.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dustcloud.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "dustcloud.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/*
The rules the operator needs in every namespace it watches. Keep in sync with docs/rbac.md;
HelmChartTest checks the rendered rules against that list and OperatorApiCallsTest checks
that every API call the operator makes is covered.
*/}}
{{- define "dustcloud.operatorRules" -}}
- apiGroups: ["dustcloud.io"]
  resources: ["unikernels"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["dustcloud.io"]
  resources: ["unikernels/status"]
  verbs: ["update"]
- apiGroups: ["dustcloud.io"]
  resources: ["unikernels/finalizers"]
  verbs: ["update"]
- apiGroups: ["dustcloud.io"]
  resources: ["unikernelrevisions"]
  verbs: ["get", "list", "watch", "create", "delete", "deletecollection"]
- apiGroups: ["dustcloud.io"]
  resources: ["unikernelrevisions/status"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["dustcloud-build-index"]
  verbs: ["get", "update"]
{{- end -}}

{{- define "dustcloud.validate" -}}
{{- if and .Values.gce.credentials.workloadIdentityServiceAccount .Values.gce.credentials.secret.name -}}
{{- fail "gce.credentials: set either workloadIdentityServiceAccount or secret.name, not both" -}}
{{- end -}}
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) -}}
{{- fail "replicaCount > 1 needs leaderElection.enabled: two operators would reconcile the same fleets" -}}
{{- end -}}
{{- end -}}
