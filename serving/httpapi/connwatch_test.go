package httpapi

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/eddyml/eddy/serving/modelstore"
)

// TestTimeouts: each of the server's timeouts closes a connection that
// stalls in its phase, never before the limit, and a connection that
// keeps within the limits is never cut.
func TestTimeouts(t *testing.T) {
	const short, long = 150 * time.Millisecond, 10 * time.Second
	get := "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	postHead := "POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
	for _, tc := range []struct {
		name string
		cfg  Config
		// first requests answered in full before the stall
		before []string
		// stall is sent, then nothing more
		stall string
	}{
		{"header on a new connection", Config{ReadHeaderTimeout: short}, nil, "GET /healthz HTTP/1.1\r\nHost:"},
		{"header on a kept-alive connection", Config{ReadHeaderTimeout: short}, []string{get}, "GET /heal"},
		{"idle", Config{IdleTimeout: short}, []string{get, get}, ""},
		{"body, read timeout", Config{ReadTimeout: short}, nil, postHead + `{"instances":`},
		{"body, write timeout", Config{WriteTimeout: short}, []string{get}, postHead + `{"instances":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			for _, d := range []*time.Duration{&cfg.ReadHeaderTimeout, &cfg.ReadTimeout, &cfg.WriteTimeout, &cfg.IdleTimeout} {
				if *d == 0 {
					*d = long
				}
			}
			e := startServer(t, emptyStore(t), cfg)
			c, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			for _, req := range tc.before {
				if _, err := io.WriteString(c, req); err != nil {
					t.Fatal(err)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
			}
			start := time.Now()
			if _, err := io.WriteString(c, tc.stall); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			// The server closes the connection, possibly after an error
			// answer (net/http answers a cut body with 400 or 500).
			_, err = io.Copy(io.Discard, br)
			took := time.Since(start)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("still open after %v", took)
			}
			if took < short {
				t.Errorf("closed after %v, before the %v limit", took, short)
			}
		})
	}

	t.Run("within the limits", func(t *testing.T) {
		e := startServer(t, emptyStore(t), Config{ReadHeaderTimeout: short, ReadTimeout: short, WriteTimeout: short, IdleTimeout: short})
		c, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		// 15 requests 50 ms apart: 750 ms on one connection, five times
		// every limit, each gap and request well within them.
		for i := range 15 {
			if i > 0 {
				time.Sleep(50 * time.Millisecond)
			}
			if _, err := io.WriteString(c, get); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

func emptyStore(t *testing.T) modelstore.Store {
	t.Helper()
	st, err := modelstore.OpenDir(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
