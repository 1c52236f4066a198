package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eddyml/eddy/serving/modelstore"
)

// benchServer serves a deployed 100-feature vectorassembler + logreg
// pipeline, with its input schema stored.
func benchServer(b *testing.B) *Server {
	m, in := trainModel(b, 100, 2000)
	st, err := modelstore.OpenDir(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	putVersions(b, st, "lr100", m, in, 1, true)
	if _, err := st.SetStage(context.Background(), "lr100", 1, modelstore.StageDeployed, nil); err != nil {
		b.Fatal(err)
	}
	s, err := New(st, Config{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.refreshAll(context.Background()); err != nil {
		b.Fatal(err)
	}
	s.synced.Store(true)
	return s
}

func benchPredict(b *testing.B, rows int) {
	s := benchServer(b)
	rs := make([]string, rows)
	for i := range rs {
		rs[i] = row(100, float64(i%7)-3)
	}
	body := instances(rs...)
	h := s.Handler()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/models/lr100:predict", strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkPredict1000Rows is the server time of one 1,000-row request
// (JSON decode, Arrow batch, transform, JSON encode): goal < 1 ms.
func BenchmarkPredict1000Rows(b *testing.B) { benchPredict(b, 1000) }

// BenchmarkPredict1Row is the server time of a single-row request.
func BenchmarkPredict1Row(b *testing.B) { benchPredict(b, 1) }
