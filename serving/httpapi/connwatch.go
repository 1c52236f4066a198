package httpapi

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connWatch enforces the server's timeouts by sweeping its connections
// on a ticker instead of through net/http's per-request deadlines. With
// ReadTimeout and the others set, net/http arms and disarms socket
// deadlines (runtime timers) five or six times per request, about 10% of
// the CPU time of a single-row predict request; here a request costs two
// connection-state callbacks and a few atomic loads and stores, and a
// timeout is enforced, by closing the connection, within one tick
// (timeout/10, between 10 ms and 1 s) after it expires, never before.
//
// The limits, all measured on connection state that net/http reports:
//   - ReadHeaderTimeout: from a new connection's accept, or from the
//     first bytes of a keep-alive connection's next request, until the
//     request's headers have been read;
//   - ReadTimeout: from the same start until the answer's first byte is
//     written (headers, body and, for these handlers, which read the
//     whole body first, nothing else before they answer);
//   - WriteTimeout: from the end of the headers until the answer has been
//     written (body, model and answer);
//   - IdleTimeout: between requests on a keep-alive connection.
type connWatch struct {
	readHeader, read, write, idle int64 // nanoseconds
	tick                          time.Duration
	base                          time.Time
	now                           atomic.Int64 // coarse clock: nanoseconds since base, set each tick

	mu    sync.Mutex
	conns map[*watchedConn]struct{}
}

func newConnWatch(readHeader, read, write, idle time.Duration) *connWatch {
	tick := min(readHeader, read, write, idle) / 10
	tick = max(10*time.Millisecond, min(tick, time.Second))
	// The clock starts at one second, so that no reading is 0 (which
	// means "not started" in watchedConn).
	w := &connWatch{readHeader: int64(readHeader), read: int64(read), write: int64(write), idle: int64(idle),
		tick: tick, base: time.Now().Add(-time.Second), conns: map[*watchedConn]struct{}{}}
	w.now.Store(int64(time.Since(w.base)))
	return w
}

// watchedConn is an accepted connection with the state the sweep reads.
type watchedConn struct {
	net.Conn
	w *connWatch
	// state is the http.ConnState net/http last reported.
	state atomic.Int32
	// since is when state was entered (coarse clock).
	since atomic.Int64
	// reqStart is when the current request's first bytes arrived (the
	// accept for a connection's first request); 0 while idle and
	// nothing has arrived.
	reqStart atomic.Int64
	// wrote is set by the first write of the current request's answer.
	wrote atomic.Bool
	// pre is read before the connection: what the fast lane had read of
	// a request it handed to net/http.
	pre []byte
}

func (c *watchedConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.reqStart.Load() == 0 && http.ConnState(c.state.Load()) == http.StateIdle {
		c.reqStart.Store(c.w.clock())
	}
	return n, err
}

func (c *watchedConn) Write(p []byte) (int, error) {
	if !c.wrote.Load() {
		c.wrote.Store(true)
	}
	return c.Conn.Write(p)
}

// CloseWrite lets net/http half-close the connection as it does a
// *net.TCPConn.
func (c *watchedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// clock is the coarse time: at most one tick behind.
func (w *connWatch) clock() int64 { return w.now.Load() }

// listener wraps ln so that its connections are watched.
func (w *connWatch) listener(ln net.Listener) net.Listener {
	return &watchedListener{Listener: ln, w: w}
}

type watchedListener struct {
	net.Listener
	w *connWatch
}

func (l *watchedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	wc := &watchedConn{Conn: c, w: l.w}
	t := l.w.clock()
	wc.state.Store(int32(http.StateNew))
	wc.since.Store(t)
	wc.reqStart.Store(t)
	l.w.mu.Lock()
	l.w.conns[wc] = struct{}{}
	l.w.mu.Unlock()
	return wc, nil
}

// connState is the http.Server.ConnState hook.
func (w *connWatch) connState(c net.Conn, st http.ConnState) {
	wc, ok := c.(*watchedConn)
	if !ok {
		return
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		w.mu.Lock()
		delete(w.conns, wc)
		w.mu.Unlock()
	case http.StateActive:
		wc.wrote.Store(false)
	case http.StateIdle:
		wc.reqStart.Store(0)
	}
	wc.since.Store(w.clock())
	wc.state.Store(int32(st))
}

// run sweeps every tick until ctx ends.
func (w *connWatch) run(ctx context.Context) {
	t := time.NewTicker(w.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.sweep()
		}
	}
}

// sweep advances the coarse clock and closes every connection over a
// limit. A time read from the clock may be up to a tick old, so a limit
// counts as passed only a tick after it: a connection is never cut early.
func (w *connWatch) sweep() {
	now := int64(time.Since(w.base))
	w.now.Store(now)
	slack := int64(w.tick)
	over := func(start, limit int64) bool { return start != 0 && now-start > limit+slack }
	var cut []*watchedConn
	w.mu.Lock()
	for c := range w.conns {
		since := c.since.Load()
		req := c.reqStart.Load()
		var bad bool
		switch http.ConnState(c.state.Load()) {
		case http.StateNew:
			bad = over(req, w.readHeader) || over(req, w.read)
		case http.StateIdle:
			if req != 0 {
				bad = over(req, w.readHeader) || over(req, w.read)
			} else {
				bad = over(since, w.idle)
			}
		case http.StateActive:
			bad = over(since, w.write) || (!c.wrote.Load() && over(req, w.read))
		}
		if bad {
			cut = append(cut, c)
		}
	}
	w.mu.Unlock()
	for _, c := range cut {
		c.Conn.Close()
	}
}
