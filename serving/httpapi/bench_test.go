package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

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

// benchValue is feature j of row i: four decimals, as clients print.
func benchValue(i, j int) float64 { return float64((i*131+j*17)%20001-10000) / 10000 }

func jsonBody(rows int) string {
	var b strings.Builder
	b.WriteString(`{"instances":[`)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j := range 100 {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"f%d":%.4f`, j, benchValue(i, j))
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.String()
}

func oipBody(rows int) string {
	var b strings.Builder
	b.WriteString(`{"inputs":[`)
	for j := range 100 {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"f%d","shape":[%d],"datatype":"FP64","data":[`, j, rows)
		for i := range rows {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `%.4f`, benchValue(i, j))
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func benchPredict(b *testing.B, rows int) {
	benchRoute(b, "/v1/models/lr100:predict", "application/json", []byte(jsonBody(rows)))
}

func benchRoute(b *testing.B, path, contentType string, body []byte) {
	s := benchServer(b)
	h := s.Handler()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
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

// BenchmarkPredict1000RowsOIP is a 1,000-row Open Inference Protocol v2
// request: one FP64 tensor of shape [1000] per feature.
func BenchmarkPredict1000RowsOIP(b *testing.B) {
	benchRoute(b, "/v2/models/lr100/infer", "application/json", []byte(oipBody(1000)))
}

// BenchmarkPredict1000RowsArrow is a 1,000-row Arrow IPC stream request
// answered as an Arrow IPC stream.
func BenchmarkPredict1000RowsArrow(b *testing.B) {
	body := arrowBody(b, memory.NewGoAllocator(), 100, 1000, func(i int) float64 { return benchValue(i, 0) })
	benchRoute(b, "/v1/models/lr100:predict", ContentTypeArrowStream, body)
}

// BenchmarkServeOverTCP is a single-row predict over a real loopback
// connection, request after request, through Run with the fast lane and
// with net/http alone (client and server in this process; the difference
// between the two is the server's).
func BenchmarkServeOverTCP(b *testing.B) {
	for _, bc := range []struct {
		name    string
		disable bool
	}{{"fast_lane", false}, {"net_http", true}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := benchServer(b)
			srv.cfg.DisableFastLane = bc.disable
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- srv.Run(ctx, ln) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					b.Error(err)
				}
			}()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			body := jsonBody(1)
			req := []byte(fmt.Sprintf("POST /v1/models/lr100:predict HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
			br := bufio.NewReader(c)
			b.SetBytes(int64(len(req)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Write(req); err != nil {
					b.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
