package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The fast lane serves the server's hot request on its own HTTP/1.1 loop:
// a JSON POST /v1/models/{name}:predict of a deployed model whose answer
// the row path gives (rowpath.go). Everything else (any other route,
// method or version, chunked bodies, Expect, Connection: close, a token,
// an Arrow body, and every request that would be answered with an error)
// is handed, with the bytes read so far, to net/http, which then owns the
// connection for good; so the fast lane only ever writes 200 answers, the
// same bytes net/http's handler writes. On this 2-core machine net/http
// costs about 14 us of CPU per request before any handler runs, a loop
// that parses only what this request needs about 7 us (BENCHMARKS.md).

// fastMaxBody bounds the bodies the fast lane reads: the row path takes
// at most maxRowPathRows rows, far below this.
const fastMaxBody = 1 << 20

// fastLane accepts the server's connections.
type fastLane struct {
	s       *Server
	cw      *connWatch
	hand    *handoffListener
	latency prometheus.Observer
	ok      prometheus.Counter

	closing atomic.Bool
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[*watchedConn]struct{} // served by the fast lane now
	ln      net.Listener
}

func newFastLane(s *Server, cw *connWatch, addr net.Addr) *fastLane {
	return &fastLane{s: s, cw: cw, hand: newHandoffListener(addr),
		latency: s.met.latency.WithLabelValues("v1_predict"), ok: s.met.requests.WithLabelValues("v1_predict", "200"),
		conns: map[*watchedConn]struct{}{}}
}

// serve accepts connections on ln (watched by cw) until it is closed.
func (f *fastLane) serve(ln net.Listener) error {
	f.mu.Lock()
	f.ln = ln
	if f.closing.Load() { // shut down before it started
		f.mu.Unlock()
		ln.Close()
		return nil
	}
	f.mu.Unlock()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if f.closing.Load() {
				return nil
			}
			// As net/http: back off on temporary errors (EMFILE...).
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		wc := c.(*watchedConn)
		f.mu.Lock()
		if f.closing.Load() {
			f.mu.Unlock()
			wc.Conn.Close()
			f.cw.connState(wc, http.StateClosed)
			continue
		}
		f.conns[wc] = struct{}{}
		f.wg.Add(1)
		f.mu.Unlock()
		go f.serveConn(wc)
	}
}

// shutdown stops accepting, closes the idle connections and waits for
// the others to finish their request, until ctx ends (then it closes
// them all).
func (f *fastLane) shutdown(ctx context.Context) {
	f.mu.Lock()
	f.closing.Store(true)
	if f.ln != nil {
		f.ln.Close()
	}
	f.mu.Unlock()
	done := make(chan struct{})
	go func() {
		f.wg.Wait()
		close(done)
	}()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		f.mu.Lock()
		for c := range f.conns {
			if st := http.ConnState(c.state.Load()); st == http.StateIdle || st == http.StateNew || ctx.Err() != nil {
				c.Conn.Close()
			}
		}
		f.mu.Unlock()
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// laneBufs is one connection's buffers, pooled between connections.
type laneBufs struct {
	br   *bufio.Reader
	bw   *bufio.Writer
	body []byte
	head []byte // a copy of the request's head, for a handoff after its body
	out  []byte
}

var lanePool = sync.Pool{New: func() any {
	return &laneBufs{br: bufio.NewReaderSize(nil, 8<<10), bw: bufio.NewWriterSize(nil, 4<<10)}
}}

func (f *fastLane) serveConn(c *watchedConn) {
	b := lanePool.Get().(*laneBufs)
	b.br.Reset(c)
	b.bw.Reset(c)
	handedOff := false
	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		f.mu.Unlock()
		if !handedOff {
			c.Conn.Close()
			f.cw.connState(c, http.StateClosed)
		}
		b.br.Reset(nil)
		b.bw.Reset(nil)
		if cap(b.body) > fastMaxBody/4 {
			b.body = nil
		}
		lanePool.Put(b)
		f.wg.Done()
	}()
	for {
		head, ok := readHead(b.br)
		if !ok {
			return // closed, or a read error: nothing to answer
		}
		req, fast := f.parseHead(head)
		if !fast {
			handedOff = f.handoff(c, nil, nil, b.br)
			return
		}
		f.cw.connState(c, http.StateActive)
		start := time.Now()
		b.head = append(b.head[:0], head...)
		b.br.Discard(len(head))
		if cap(b.body) < req.contentLength {
			b.body = make([]byte, req.contentLength)
		}
		body := b.body[:req.contentLength]
		if _, err := io.ReadFull(b.br, body); err != nil {
			return // the client went away (or the watch cut a stalled body)
		}
		out, version, ok := f.answer(b.out[:0], req.name, body)
		b.out = out[:0]
		if !ok {
			handedOff = f.handoff(c, b.head, body, b.br)
			return
		}
		b.bw.Write(responseHead(b.bw.AvailableBuffer(), version, len(out)))
		b.bw.Write(out)
		if err := b.bw.Flush(); err != nil {
			return
		}
		f.latency.Observe(time.Since(start).Seconds())
		f.ok.Inc()
		f.cw.connState(c, http.StateIdle)
		if f.closing.Load() {
			return
		}
	}
}

// answer is the predict answer to body, appended to dst, when the row
// path gives it; ok is false for anything else (the caller hands the
// request to net/http, which answers it, errors included).
func (f *fastLane) answer(dst []byte, name string, body []byte) (_ []byte, version string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false // net/http's handler reports it
		}
	}()
	m := f.s.current(name)
	if m == nil || m.rowPath == nil {
		return dst, "", false
	}
	cs, e := decodeColumns(body, m.plan, f.s.cfg.MaxRows)
	if e != nil {
		return dst, "", false
	}
	b, ok := m.rowPath.score(appendPredictionsHead(dst, m), cs, m.outIdx)
	rows := cs.rows
	cs.recycle()
	if !ok {
		return dst, "", false
	}
	m.countRows(int64(rows))
	return append(b, "}\n"...), m.versionHeader[0], true
}

// handoff gives c to net/http with the bytes read so far (head and body
// when they were consumed, then whatever br holds). It reports false when
// net/http is closed (c is then closed by the caller).
func (f *fastLane) handoff(c *watchedConn, head, body []byte, br *bufio.Reader) bool {
	rest, _ := br.Peek(br.Buffered())
	pre := make([]byte, 0, len(head)+len(body)+len(rest))
	pre = append(append(append(pre, head...), body...), rest...)
	c.pre = pre
	return f.hand.give(c)
}

// readHead returns the request head (through its blank line) buffered in
// br, without consuming it. A head larger than br's buffer, or a partial
// request before the end of input, comes back empty (parseHead then hands
// it to net/http, which judges it); false means nothing arrived before
// the connection ended.
func readHead(br *bufio.Reader) ([]byte, bool) {
	for {
		b, _ := br.Peek(br.Buffered())
		if i := bytes.Index(b, crlfcrlf); i >= 0 {
			return b[:i+4], true
		}
		if br.Buffered() == br.Size() {
			// Too large for the fast lane: an empty head makes parseHead
			// hand it to net/http, which reads and judges it.
			return b[:0], true
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			if n := br.Buffered(); n > 0 {
				return b[:0], true // a partial request: net/http answers it
			}
			return nil, false
		}
	}
}

var crlfcrlf = []byte("\r\n\r\n")

// fastReq is what the fast lane needs of a request head.
type fastReq struct {
	name          string
	contentLength int
}

// parseHead reports whether head is a request the fast lane serves:
// "POST /v1/models/NAME:predict HTTP/1.1" with a plain model name, a Host,
// a Content-Length within the limits, and no header that changes how the
// request is read or answered.
func (f *fastLane) parseHead(head []byte) (fastReq, bool) {
	var r fastReq
	if f.s.cfg.RequireTokenForPredict {
		return r, false
	}
	line, rest, ok := bytes.Cut(head, crlf)
	if !ok {
		return r, false
	}
	target, ok := bytes.CutPrefix(line, []byte("POST /v1/models/"))
	if !ok {
		return r, false
	}
	name, ok := bytes.CutSuffix(target, []byte(":predict HTTP/1.1"))
	if !ok || len(name) == 0 || len(name) > 128 {
		return r, false
	}
	for _, ch := range name {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			return r, false
		}
	}
	r.contentLength = -1
	hosts := 0
	for {
		line, rest, ok = bytes.Cut(rest, crlf)
		if !ok {
			return r, false
		}
		if len(line) == 0 {
			break
		}
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !isToken(key) || !isFieldValue(value) {
			return r, false // net/http answers 400, or reads it otherwise
		}
		value = bytes.Trim(value, " \t")
		switch {
		case asciiEqualFold(key, "Content-Length"):
			if r.contentLength >= 0 || len(value) == 0 || len(value) > 9 {
				return r, false
			}
			n := 0
			for _, ch := range value {
				if ch < '0' || ch > '9' {
					return r, false
				}
				n = n*10 + int(ch-'0')
			}
			r.contentLength = n
		case asciiEqualFold(key, "Host"):
			if !isHost(value) {
				return r, false
			}
			hosts++
		case asciiEqualFold(key, "Content-Type"):
			if len(value) > 0 && !asciiHasPrefixFold(value, "application/json") {
				return r, false
			}
		case asciiEqualFold(key, "Connection"):
			// keep-alive is HTTP/1.1's default (many clients still say
			// it); close or an upgrade changes the answer.
			if !asciiEqualFold(value, "keep-alive") {
				return r, false
			}
		case asciiEqualFold(key, "Transfer-Encoding"), asciiEqualFold(key, "Expect"),
			asciiEqualFold(key, "Upgrade"), asciiEqualFold(key, "Trailer"):
			return r, false
		}
	}
	if hosts != 1 || r.contentLength < 0 || int64(r.contentLength) > f.s.cfg.MaxBodyBytes || r.contentLength > fastMaxBody {
		return r, false
	}
	r.name = string(name)
	return r, true
}

var crlf = []byte("\r\n")

// isToken reports whether b is a header name net/http accepts (an RFC
// 9110 token).
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isFieldValue reports whether b holds no control byte but tab, as
// net/http requires of header values.
func isFieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// isHost is a conservative subset of the Host values net/http accepts:
// names, IPv4 and bracketed IPv6 addresses, with a port (or empty).
func isHost(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_:[]", c) >= 0) {
			return false
		}
	}
	return true
}

func asciiEqualFold(b []byte, s string) bool {
	return len(b) == len(s) && asciiHasPrefixFold(b, s)
}

func asciiHasPrefixFold(b []byte, s string) bool {
	if len(b) < len(s) {
		return false
	}
	for i := range len(s) {
		c, d := b[i], s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// responseHead appends the status line and headers of a 200 predict
// answer: the headers net/http writes for the same answer, in its order.
func responseHead(b []byte, version string, n int) []byte {
	b = append(b, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nEddy-Model-Version: "...)
	b = append(b, version...)
	b = append(b, "\r\nDate: "...)
	b = appendDate(b)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "\r\n\r\n"...)
}

// dateCache holds the Date header of the current second.
var dateCache atomic.Pointer[cachedDate]

type cachedDate struct {
	sec int64
	b   []byte
}

func appendDate(b []byte) []byte {
	now := time.Now()
	if d := dateCache.Load(); d != nil && d.sec == now.Unix() {
		return append(b, d.b...)
	}
	d := &cachedDate{sec: now.Unix(), b: now.UTC().AppendFormat(nil, http.TimeFormat)}
	dateCache.Store(d)
	return append(b, d.b...)
}

// handoffListener is the listener net/http serves: the connections the
// fast lane gives it.
type handoffListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// give hands c to net/http; false when the listener is closed.
func (l *handoffListener) give(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}
