package httpapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/serving/modelstore"
)

func (s *Server) routes() {
	mux := http.NewServeMux()
	h := func(pattern, route string, fn http.HandlerFunc) {
		mux.HandleFunc(pattern, s.met.instrument(route, s.cfg.Now, fn))
	}
	h("GET /healthz", "healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	h("GET /readyz", "readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{}))

	h("GET /v1/models", "v1_models", s.listModels)
	h("POST /v1/models/{model}", "v1_predict", s.auth(false, s.v1Predict))
	h("POST /v1/models/{model}/versions/{version}", "v1_predict_version", s.auth(false, s.v1PredictVersion))
	h("POST /v1/admin/models/{model}/versions/{version}", "v1_admin_version", s.auth(true, s.adminVersion))
	h("POST /v1/admin/models/{model}/aliases/{alias}", "v1_admin_alias", s.auth(true, s.adminAlias))
	h("POST /v1/admin/reload", "v1_admin_reload", s.auth(true, s.adminReload))

	h("GET /v2", "v2_server", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"name": "eddy", "version": "1", "extensions": []string{}})
	})
	h("GET /v2/health/live", "v2_live", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]bool{"live": true}) })
	h("GET /v2/health/ready", "v2_ready", func(w http.ResponseWriter, r *http.Request) {
		ok := s.ready(r.Context()) == nil
		writeJSON(w, map[bool]int{true: 200, false: 503}[ok], map[string]bool{"ready": ok})
	})
	h("GET /v2/models/{model}", "v2_model", s.v2Metadata)
	h("GET /v2/models/{model}/versions/{version}", "v2_model", s.v2Metadata)
	h("GET /v2/models/{model}/ready", "v2_model_ready", s.v2ModelReady)
	h("GET /v2/models/{model}/versions/{version}/ready", "v2_model_ready", s.v2ModelReady)
	h("POST /v2/models/{model}/infer", "v2_infer", s.auth(false, s.v2Infer))
	h("POST /v2/models/{model}/versions/{version}/infer", "v2_infer", s.auth(false, s.v2Infer))
	h("/", "not_found", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(CodeBadRoute, "no route %s %s", r.Method, r.URL.Path), 0)
	})
	s.mux = mux
}

// auth wraps h with the bearer-token check: always for admin routes,
// for predict routes when Config.RequireTokenForPredict is set.
func (s *Server) auth(admin bool, h http.HandlerFunc) http.HandlerFunc {
	if !admin && !s.cfg.RequireTokenForPredict {
		return h
	}
	want := []byte("Bearer " + s.cfg.Token)
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Token == "" {
			writeError(w, errorf(CodeAdminDisabled, "admin routes are disabled: the server has no token"), 0)
			return
		}
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="eddy"`)
			writeError(w, errorf(CodeUnauthorized, "authorization: missing or wrong bearer token"), 0)
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":{"code":5000,"message":"encode response"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeError writes {"error":{"code":C,"message":M}} (and the model
// version when one was chosen).
func writeError(w http.ResponseWriter, e *Error, version int64) {
	body := map[string]any{"error": e}
	if version > 0 {
		body["model_version"] = version
		w.Header().Set("Eddy-Model-Version", strconv.FormatInt(version, 10))
	}
	writeJSON(w, e.Code.status(), body)
}

// writeV2Error writes the Open Inference Protocol error shape
// {"error": "message"} with the catalogue code beside it.
func writeV2Error(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Code.status(), map[string]any{"error": e.Message, "code": e.Code})
}

func (s *Server) ready(ctx context.Context) error {
	if !s.synced.Load() {
		return errors.New("loading deployed models")
	}
	if err := s.probe(ctx); err != nil {
		return err
	}
	if !s.storeOK.Load() {
		return errors.New("registry reconnecting")
	}
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	models := map[string]int64{}
	for n, m := range *s.deployed.Load() {
		models[n] = m.version
	}
	if err := s.ready(r.Context()); err != nil {
		writeJSON(w, 503, map[string]any{"status": "not ready", "reason": err.Error(), "models": models})
		return
	}
	writeJSON(w, 200, map[string]any{"status": "ready", "models": models})
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	d := *s.deployed.Load()
	out := []map[string]any{}
	for _, n := range sortedNames(d) {
		out = append(out, map[string]any{"name": n, "model_version": d[n].version})
	}
	writeJSON(w, 200, map[string]any{"models": out})
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads the body into a pooled buffer, enforcing MaxBodyBytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, *Error) {
	if r.ContentLength > s.cfg.MaxBodyBytes {
		return nil, errorf(CodeBodyTooLarge, "body: %d bytes exceeds the limit of %d", r.ContentLength, s.cfg.MaxBodyBytes)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		bufPool.Put(buf)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errorf(CodeBodyTooLarge, "body: exceeds the limit of %d bytes", s.cfg.MaxBodyBytes)
		}
		return nil, errorf(CodeBadJSON, "body: %v", err)
	}
	return buf, nil
}

// maxPooledBuf bounds the buffers kept for reuse: a 1,000-row JSON
// request of 100 features is about 1.3 MB.
const maxPooledBuf = 4 << 20

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuf {
		bufPool.Put(b)
	}
}

// splitVerb cuts "name@ref:predict" into "name@ref" and "predict".
func splitVerb(s string) (string, string) {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

func (s *Server) v1Predict(w http.ResponseWriter, r *http.Request) {
	target, verb := splitVerb(r.PathValue("model"))
	if verb != "predict" {
		writeError(w, errorf(CodeBadRoute, "path %s: want /v1/models/NAME:predict", r.URL.Path), 0)
		return
	}
	name, ref, _ := strings.Cut(target, "@")
	if strings.Contains(target, "@") && ref == "" {
		writeError(w, errorf(CodeBadRoute, "path %s: empty reference after @", r.URL.Path), 0)
		return
	}
	s.predict(w, r, name, ref)
}

func (s *Server) v1PredictVersion(w http.ResponseWriter, r *http.Request) {
	v, verb := splitVerb(r.PathValue("version"))
	if verb != "predict" {
		writeError(w, errorf(CodeBadRoute, "path %s: want /v1/models/NAME/versions/V:predict", r.URL.Path), 0)
		return
	}
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		writeError(w, errorf(CodeVersionNotFound, "model %q: version %q is not a number", r.PathValue("model"), v), 0)
		return
	}
	s.predict(w, r, r.PathValue("model"), v)
}

func (s *Server) predict(w http.ResponseWriter, r *http.Request, name, ref string) {
	ctx := r.Context()
	m, e := s.lookup(ctx, name, ref)
	if e != nil {
		writeError(w, e, 0)
		return
	}
	if isArrowStream(r) {
		s.predictArrow(w, r, m)
		return
	}
	body, e := s.readBody(w, r)
	if e != nil {
		writeError(w, e, m.version)
		return
	}
	defer putBuf(body)
	mem := s.cfg.Allocator
	cs, e := decodeColumns(body.Bytes(), m.plan, s.cfg.MaxRows)
	if e != nil {
		writeError(w, e, m.version)
		return
	}
	if m.rowPath != nil && s.predictRows(w, m, cs) {
		cs.recycle() // nothing wraps its columns
		return
	}
	rec, err := cs.record(mem)
	if err != nil {
		writeError(w, errorf(CodeInternal, "build batch: %v", err), m.version)
		return
	}
	defer rec.Release()
	idx := m.outIdx
	if m.plan == nil {
		if _, idx, err = m.outputs(rec.Schema()); err != nil {
			writeError(w, errorf(CodeSchemaMismatch, "instances: %v", err), m.version)
			return
		}
	}
	out, e := m.transform(pipeline.WithAllocator(ctx, mem), rec)
	if e != nil {
		s.logModelError(m, e)
		writeError(w, e, m.version)
		return
	}
	defer out.Release()
	m.countRows(out.NumRows())
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	b := appendPredictionsHead(buf.AvailableBuffer(), m)
	b = appendRows(b, out, idx)
	writePredictions(w, m, buf, b)
}

// predictRows answers a small request through the model's row path
// (rowPath.score), reporting false, with nothing written, when the
// request needs the Arrow path. cs is borrowed.
func (s *Server) predictRows(w http.ResponseWriter, m *model, cs *columns) bool {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	b, ok := m.rowPath.score(appendPredictionsHead(buf.AvailableBuffer(), m), cs, m.outIdx)
	if !ok {
		return false
	}
	m.countRows(int64(cs.rows))
	writePredictions(w, m, buf, b)
	return true
}

// appendPredictionsHead appends a predict answer up to its predictions.
func appendPredictionsHead(b []byte, m *model) []byte {
	b = append(b, `{"model":`...)
	b = appendJSONString(b, m.name)
	b = append(b, `,"model_version":`...)
	b = strconv.AppendInt(b, m.version, 10)
	return append(b, `,"predictions":`...)
}

// writePredictions ends the answer b (appended to buf's available
// buffer) and writes it with the model's headers.
func writePredictions(w http.ResponseWriter, m *model, buf *bytes.Buffer, b []byte) {
	b = append(b, "}\n"...)
	m.setHeaders(w.Header(), contentTypeJSON)
	w.Write(b)
	if cap(b) > buf.Cap() {
		buf.Grow(cap(b)) // keep the larger buffer pooled
	}
}

func (s *Server) logModelError(m *model, e *Error) {
	s.log.Error("model failed", "model", m.name, "version", m.version, "code", int(e.Code), "err", e.Message)
}

// adminVersion handles POST /v1/admin/models/NAME/versions/V:deploy and
// V:stage with {"stage": "validated"}.
func (s *Server) adminVersion(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("model")
	vs, verb := splitVerb(r.PathValue("version"))
	v, err := strconv.ParseInt(vs, 10, 64)
	if err != nil {
		writeError(w, errorf(CodeVersionNotFound, "model %q: version %q is not a number", name, vs), 0)
		return
	}
	var to modelstore.Stage
	switch verb {
	case "deploy":
		to = modelstore.StageDeployed
	case "stage":
		var req struct {
			Stage string `json:"stage"`
		}
		body, e := s.readBody(w, r)
		if e != nil {
			writeError(w, e, 0)
			return
		}
		err := json.Unmarshal(body.Bytes(), &req)
		putBuf(body)
		if err != nil {
			writeError(w, errorf(CodeBadJSON, "body: %v", err), 0)
			return
		}
		if to = modelstore.Stage(req.Stage); !to.Valid() {
			writeError(w, errorf(CodeBadJSON, "stage: unknown stage %q (want generated, validated, deployed, deprecated or rejected)", req.Stage), 0)
			return
		}
	default:
		writeError(w, errorf(CodeBadRoute, "path %s: want :deploy or :stage", r.URL.Path), 0)
		return
	}
	ver, err := s.store.SetStage(r.Context(), name, v, to, nil)
	if err != nil {
		writeError(w, storeError(err, name, vs), 0)
		return
	}
	s.log.Info("admin stage change", "model", name, "version", v, "stage", to)
	writeJSON(w, 200, ver)
}

func (s *Server) adminAlias(w http.ResponseWriter, r *http.Request) {
	name, alias := r.PathValue("model"), r.PathValue("alias")
	var req struct {
		Version int64 `json:"version"`
	}
	body, e := s.readBody(w, r)
	if e != nil {
		writeError(w, e, 0)
		return
	}
	err := json.Unmarshal(body.Bytes(), &req)
	putBuf(body)
	if err != nil {
		writeError(w, errorf(CodeBadJSON, "body: %v", err), 0)
		return
	}
	if err := s.store.SetAlias(r.Context(), name, alias, req.Version); err != nil {
		writeError(w, storeError(err, name, strconv.FormatInt(req.Version, 10)), 0)
		return
	}
	writeJSON(w, 200, map[string]any{"model": name, "alias": alias, "model_version": req.Version})
}

func (s *Server) adminReload(w http.ResponseWriter, r *http.Request) {
	select {
	case s.reloadReq <- struct{}{}:
	default:
	}
	writeJSON(w, 202, map[string]string{"status": "reload requested"})
}
