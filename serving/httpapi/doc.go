// Package httpapi serves the deployed models of a modelstore registry
// over HTTP, with atomic hot swap, the Open Inference Protocol v2 REST
// API, Prometheus metrics and a stable error catalogue.
//
// # Routes
//
//	POST /v1/models/{name}:predict                  deployed version
//	POST /v1/models/{name}@{alias}:predict          alias ("champion") or "latest"
//	POST /v1/models/{name}/versions/{v}:predict     pinned version
//	GET  /v1/models                                 deployed models and versions
//	POST /v1/admin/models/{name}/versions/{v}:deploy          (token)
//	POST /v1/admin/models/{name}/versions/{v}:stage {"stage"} (token)
//	POST /v1/admin/models/{name}/aliases/{alias} {"version"}  (token)
//	POST /v1/admin/reload                                      (token)
//	GET  /v2, /v2/health/live, /v2/health/ready
//	GET  /v2/models/{name}[/versions/{v}][/ready]
//	POST /v2/models/{name}[/versions/{v}]/infer
//	GET  /healthz, /readyz, /metrics
//
// A predict request is {"instances":[{col: value, ...}, ...]}; the answer
// is {"model":..., "model_version":V, "predictions":[{col: value}...]}
// and the Eddy-Model-Version header. ServeMux cannot match a literal
// suffix after a wildcard, so the ":predict" verb and the "@ref" are cut
// from the {name} segment by the handler.
//
// # Input schema
//
// Rows become an Arrow record of the model's input schema, stored with
// the version in Info.Params under ParamInputSchema (SetInputSchema);
// values are decoded straight into typed columns by a small JSON scanner
// that names the row and column of any bad value. A version without a
// stored schema gets one inferred from each request's first row
// (numbers as float64, arrays of numbers as dense vectors), checked by
// the model's own OutputSchema. ParamOutputCols picks the returned
// columns (default: every column the model adds).
//
// A predict request with Content-Type application/vnd.apache.arrow.stream
// (ContentTypeArrowStream) carries Arrow IPC record batches of the input
// columns and is answered in the same format: the returned columns, with
// "model" and "model_version" in the schema metadata.
//
// # Speed
//
// Each model's plan pools its decoding columns: float64 values are
// parsed (a one-pass reader for the common plain decimals, exact, with
// internal/fastfloat and strconv behind it) into one slab that the
// request's record wraps without copying, and the slab returns to the
// pool only when the last array over it is released (a model that keeps
// a column keeps the slab). Records are built with internal/trustedrec,
// skipping arrow's per-column reflect.DeepEqual type check. OIP bodies
// are read by the same scanner, each tensor's data straight into its
// column. The default Config.Allocator pools the buffers models allocate
// per request by size class, request bodies and responses use pooled
// buffers, the per-model metrics and headers are looked up once per
// loaded version, and an Arrow request's output plan is cached per input
// schema.
//
// A JSON request of at most 16 rows without nulls, to a model with an
// input schema whose stages are all pipeline.RowTransformers (a
// vector_assembler + standard_scaler + logistic regression pipeline is),
// skips Arrow: each decoded row goes through the model's row function
// straight from the decoding slab into per-request scratch memory, and
// the returned columns are encoded from there, with no allocation. Any
// row the row path fails, or a panic in it, sends the whole request down
// the Arrow path, so errors keep their codes and messages; answers are
// byte for byte those of the Arrow path.
//
// Run serves those requests, when they come as a plain
// "POST /v1/models/NAME:predict HTTP/1.1" with a Content-Length, on a
// lean HTTP/1.1 loop of its own (fastlane.go, off with
// Config.DisableFastLane) that parses only what the request needs and
// writes the same bytes as net/http. Any other request (another route, a
// version or alias, Expect, chunked, Connection: close, a token, an Arrow
// body, and every request the row path cannot answer, errors included)
// is handed with the bytes read so far to net/http, which keeps the
// connection from then on. net/http costs about 14 us of CPU per request
// on this machine before a handler runs, the lane about 7 us.
//
// # Hot swap
//
// Sync loads the highest deployed version of every model, then follows
// the registry's event log through a durable subscription
// (Config.Subscriber). On a deploy, deprecate or delete event it re-reads
// the model's deployed versions (the registry is the truth, so replayed
// events are harmless), loads a new version in the background and swaps
// a copy-on-write map behind an atomic pointer: requests in flight keep
// the *model they started with, no request waits on a load. Rollback is
// deploying an older version. Pinned and aliased versions are loaded on
// demand into a small LRU (Config.PinnedCacheSize), one load per version
// at a time.
//
// # Safety
//
// Admin routes need "Authorization: Bearer TOKEN" (Config.Token; without
// one they are disabled), predict routes too with
// Config.RequireTokenForPredict. Bodies are capped (MaxBodyBytes), rows
// per request too (MaxRows), and Run enforces header, read, write and idle
// timeouts by sweeping its connections every tenth of the shortest one,
// closing a connection within a tick after its limit (net/http's own
// per-request socket deadlines cost about 10% of a single-row request's
// CPU time; see connwatch.go for what each limit covers). A panic inside a model is recovered into a 500 with
// CodeModelPanic for that request alone. Errors are
// {"error":{"code":C,"message":M}} with codes from errors.go; on /v2
// routes they follow the protocol's {"error":"message"} with "code"
// beside it. When the registry is unreachable the loaded models keep
// serving, /readyz and /v2/health/ready answer 503 and the watcher
// retries with backoff until it is back.
//
// # Metrics
//
// eddy_http_requests_total{route,code}, eddy_http_request_duration_seconds{route},
// eddy_predict_rows_total{model}, eddy_model_version{model},
// eddy_model_loads_total{model,result}, eddy_registry_up; registered on
// Config.Registerer and served from Config.Gatherer.
package httpapi
