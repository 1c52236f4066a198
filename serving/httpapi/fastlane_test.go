package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/serving/modelstore"
)

// rawResponse is one answer read off a connection, minus its Date.
type rawResponse struct {
	status  int
	headers string // sorted "Key: value" lines, Date left out
	body    string
	closed  bool // the server asked to close the connection
}

func readRaw(t *testing.T, br *bufio.Reader) rawResponse {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var hs []string
	for k, v := range resp.Header {
		if k != "Date" {
			hs = append(hs, k+": "+strings.Join(v, ","))
		}
	}
	sort.Strings(hs)
	return rawResponse{status: resp.StatusCode, headers: strings.Join(hs, "\n"), body: string(body), closed: resp.Close}
}

// exchange sends reqs on one connection, one after the other (all at
// once when pipelined), and reads an answer to each.
func exchange(t *testing.T, addr string, pipelined bool, reqs ...string) []rawResponse {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	var out []rawResponse
	if pipelined {
		if _, err := io.WriteString(c, strings.Join(reqs, "")); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range reqs {
		if !pipelined {
			if _, err := io.WriteString(c, r); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, readRaw(t, br))
		if out[len(out)-1].closed {
			break
		}
	}
	return out
}

func post(path, body string, extra ...string) string {
	h := "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	for _, e := range extra {
		h += e + "\r\n"
	}
	return h + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
}

// TestFastLaneSameAnswers: every request, on one connection or pipelined,
// gets the same status, headers and body from a server with the fast lane
// as from one without it; requests the fast lane does not serve (other
// routes, errors, nulls, more than 16 rows, Expect, chunked bodies,
// Connection: close, a large head) go to net/http mid-connection, and the
// connection keeps working.
func TestFastLaneSameAnswers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	st := deployedStore(t, 2)
	fast := startServer(t, st, Config{Allocator: mem})
	slow := startServer(t, st, Config{Allocator: mem, DisableFastLane: true})
	row := func(i int) string { return fmt.Sprintf(`{"f0":%d.5,"f1":-%d.25,"f2":0.125}`, i, i) }
	many := make([]string, 17)
	for i := range many {
		many[i] = row(i)
	}
	ok := post("/v1/models/ctr:predict", instances(row(1)))
	chunked := "POST /v1/models/ctr:predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(instances(row(2))), instances(row(2)))
	sequences := [][]string{
		{ok, post("/v1/models/ctr:predict", instances(row(2), row(3), row(4))), ok},
		{ok, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", ok},
		{ok, post("/v1/models/ctr:predict", instances(`{"f0":1,"f1":null,"f2":3}`)), ok},
		{ok, post("/v1/models/ctr:predict", instances(`{"f0":1,"f2":3}`)), ok},
		{ok, post("/v1/models/ctr:predict", `{"instances":[`), ok},
		{ok, post("/v1/models/ctr:predict", instances(many...)), ok},
		{ok, post("/v1/models/nope:predict", instances(row(1))), ok},
		{ok, post("/v1/models/ctr@1:predict", instances(row(1))), ok},
		{ok, post("/v1/models/ctr/versions/1:predict", instances(row(1))), ok},
		{ok, post("/v1/models/ctr:predict", instances(row(5)), "Expect: 100-continue"), ok},
		{ok, chunked, ok},
		{ok, post("/v1/models/ctr:predict", instances(row(6)), "X-Big: "+strings.Repeat("a", 9000)), ok},
		{ok, post("/v1/models/ctr:predict", instances(row(7)), "Connection: close")},
		{ok, post("/v1/models/ctr:predict", instances(row(7)), "Connection: Keep-Alive"), ok},
		{ok, post("/v1/models/ctr:predict", instances(row(7)), "Connection: keep-alive, Upgrade", "Upgrade: h2c"), ok},
		{"POST /v1/models/ctr:predict HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"},
		{ok, "GARBAGE\r\n\r\n"},
		{ok, post("/v1/models/ctr:predict", instances(row(8)), "X-Bad: a\x01b"), ok},
		{ok, post("/v1/models/ctr:predict", instances(row(8)), "Bad Name: x"), ok},
		{ok, "POST /v1/models/ctr:predict HTTP/1.1\r\nHost: a/b\r\nContent-Length: 2\r\n\r\n{}", ok},
	}
	for i, seq := range sequences {
		for _, pipelined := range []bool{false, true} {
			got := exchange(t, strings.TrimPrefix(fast.url, "http://"), pipelined, seq...)
			want := exchange(t, strings.TrimPrefix(slow.url, "http://"), pipelined, seq...)
			if len(got) != len(want) {
				t.Errorf("sequence %d (pipelined %v): %d answers, want %d", i, pipelined, len(got), len(want))
				continue
			}
			for j := range got {
				if got[j] != want[j] {
					t.Errorf("sequence %d (pipelined %v) request %d:\n got %+v\nwant %+v", i, pipelined, j, got[j], want[j])
				}
			}
		}
	}
	// The first answer of the first sequence is the fast lane's own.
	if r := exchange(t, strings.TrimPrefix(fast.url, "http://"), false, ok)[0]; r.status != 200 || !strings.Contains(r.body, `"model_version":2`) {
		t.Errorf("fast answer %+v", r)
	}
}

// TestFastLaneMetrics: requests served by the fast lane are counted under
// the v1_predict route, their rows under the model.
func TestFastLaneMetrics(t *testing.T) {
	st := deployedStore(t, 1)
	e := startServer(t, st, Config{})
	req := post("/v1/models/ctr:predict", instances(`{"f0":1,"f1":2,"f2":3}`, `{"f0":-1,"f1":-2,"f2":-3}`))
	for _, r := range exchange(t, strings.TrimPrefix(e.url, "http://"), false, req, req, req) {
		if r.status != 200 {
			t.Fatalf("%+v", r)
		}
	}
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`eddy_http_requests_total{code="200",route="v1_predict"} 3`,
		`eddy_predict_rows_total{model="ctr"} 6`,
		`eddy_http_request_duration_seconds_count{route="v1_predict"} 3`,
	} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestFastLaneShutdown: Run returns promptly with idle fast-lane
// connections open, and an answer in flight is not cut.
func TestFastLaneShutdown(t *testing.T) {
	st := deployedStore(t, 1)
	s, err := New(st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	for !s.Ready() {
		time.Sleep(5 * time.Millisecond)
	}
	req := post("/v1/models/ctr:predict", instances(`{"f0":1,"f1":2,"f2":3}`))
	var idle []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, req)
		if r := readRaw(t, bufio.NewReader(c)); r.status != 200 {
			t.Fatalf("%+v", r)
		}
		idle = append(idle, c)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return with idle connections open")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("shutdown took %v", took)
	}
	for _, c := range idle {
		c.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("idle connection after shutdown: %v, want EOF", err)
		}
	}
}

// FuzzFastLaneHead: whatever head the fast lane takes, net/http reads the
// same request from it (method, path, body length, keep-alive), so a
// request is never served differently by the lane than by net/http; and
// parsing never panics.
func FuzzFastLaneHead(f *testing.F) {
	for _, s := range []string{
		post("/v1/models/ctr:predict", "{}"),
		"POST /v1/models/a.b-c_d:predict HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n",
		"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nContent-Type: application/json; charset=utf-8\r\n\r\n",
		"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
		"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\n Content-Length: 1\r\n\r\n",
		"POST /v1/models/m:predict HTTP/1.0\r\nHost: x\r\nContent-Length: 1\r\n\r\n",
		"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
		"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n",
		"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	fl := &fastLane{s: &Server{cfg: Config{MaxBodyBytes: 16 << 20}}}
	f.Fuzz(func(t *testing.T, head []byte) {
		i := bytes.Index(head, crlfcrlf)
		if i < 0 {
			return
		}
		head = head[:i+4]
		r, ok := fl.parseHead(head)
		if !ok {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(io.MultiReader(bytes.NewReader(head), bytes.NewReader(make([]byte, r.contentLength)))))
		if err != nil {
			t.Fatalf("the lane took %q, net/http rejects it: %v", head, err)
		}
		if req.Method != "POST" || req.URL.Path != "/v1/models/"+r.name+":predict" || req.ContentLength != int64(r.contentLength) ||
			len(req.TransferEncoding) != 0 || req.Close {
			t.Fatalf("the lane took %q as %+v, net/http reads %s %s length %d close %v host %q", head, r, req.Method, req.URL.Path, req.ContentLength, req.Close, req.Host)
		}
	})
}

// deployedStore is a registry holding n versions of the 3-feature "ctr"
// pipeline (trainModel), the last one deployed.
func deployedStore(t *testing.T, n int) modelstore.Store {
	t.Helper()
	m, in := trainModel(t, 3, 200)
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	vs := putVersions(t, st, "ctr", m, in, n, true)
	if _, err := st.SetStage(context.Background(), "ctr", vs[n-1], modelstore.StageDeployed, nil); err != nil {
		t.Fatal(err)
	}
	return st
}
