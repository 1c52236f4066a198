package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddyml/eddy/serving/modelstore"
)

// Server serves the deployed models of a registry over HTTP. Create it
// with New, mount Handler or call Run / ListenAndServe.
type Server struct {
	cfg   Config
	store modelstore.Store
	log   *slog.Logger
	met   *metrics
	mux   *http.ServeMux

	deployed atomic.Pointer[deployedSet]
	swapMu   sync.Mutex // serialises writers of deployed
	pinned   *pinnedCache
	aliases  aliasCache

	synced    atomic.Bool // the first full load finished
	storeOK   atomic.Bool // the last registry call succeeded
	probeMu   sync.Mutex
	probeAt   time.Time
	probeErr  error
	reloadReq chan struct{}
}

// New returns a server over store. It loads nothing yet: Sync (called by
// Run) loads the deployed models and follows the registry's events.
func New(store modelstore.Store, cfg Config) (*Server, error) {
	if store == nil {
		return nil, errors.New("httpapi: nil store")
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("httpapi config: %w", err)
	}
	met, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("httpapi metrics: %w", err)
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Logger, met: met, pinned: newPinnedCache(cfg.PinnedCacheSize),
		reloadReq: make(chan struct{}, 1)}
	empty := deployedSet{}
	s.deployed.Store(&empty)
	s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Ready reports whether the first load finished and the registry answered
// recently.
func (s *Server) Ready() bool { return s.synced.Load() && s.storeOK.Load() }

// Run loads and follows the registry (Sync) and serves HTTP on ln until
// ctx ends, then shuts down, letting requests in flight finish (up to
// WriteTimeout).
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	// The timeouts are enforced by a connection sweep (connwatch.go), not
	// by net/http's per-request socket deadlines, which cost about 10% of
	// a small request's CPU time.
	cw := newConnWatch(s.cfg.ReadHeaderTimeout, s.cfg.ReadTimeout, s.cfg.WriteTimeout, s.cfg.IdleTimeout)
	hs := &http.Server{
		Handler:   s.mux,
		ConnState: cw.connState,
		ErrorLog:  slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The sweep outlives ctx: it keeps bounding the requests that
	// Shutdown lets finish.
	sweepCtx, stopSweep := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSweep()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.Sync(ctx)
	}()
	go func() {
		defer wg.Done()
		cw.run(sweepCtx)
	}()
	var err error
	if s.cfg.DisableFastLane {
		err = s.serveNetHTTP(ctx, hs, cw.listener(ln))
	} else {
		err = s.serveFastLane(ctx, hs, cw, ln)
	}
	cancel()
	stopSweep()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// serveNetHTTP serves ln with hs alone until ctx ends (then shuts hs
// down) or hs fails.
func (s *Server) serveNetHTTP(ctx context.Context, hs *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.WriteTimeout)
	defer scancel()
	err := hs.Shutdown(sctx)
	<-errc
	return err
}

// serveFastLane accepts ln's connections with the fast lane, which hands
// hs those whose requests it does not serve (fastlane.go), until ctx ends
// or either fails; then it shuts both down.
func (s *Server) serveFastLane(ctx context.Context, hs *http.Server, cw *connWatch, ln net.Listener) error {
	fl := newFastLane(s, cw, ln.Addr())
	httpErr, laneErr := make(chan error, 1), make(chan error, 1)
	go func() { httpErr <- hs.Serve(fl.hand) }()
	go func() { laneErr <- fl.serve(cw.listener(ln)) }()
	var err error
	laneDone, httpDone := false, false
	select {
	case err = <-laneErr:
		laneDone = true
	case err = <-httpErr:
		httpDone = true
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.WriteTimeout)
	defer scancel()
	fl.shutdown(sctx)
	if serr := hs.Shutdown(sctx); err == nil {
		err = serr
	}
	if !laneDone {
		<-laneErr
	}
	if !httpDone {
		<-httpErr
	}
	return err
}

// ListenAndServe is Run on a listener at Config.Addr.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("httpapi: %w", err)
	}
	s.log.Info("serving", "addr", ln.Addr().String())
	return s.Run(ctx, ln)
}

// Sync loads every deployed model, then follows the registry's events
// (a subscription under Config.Subscriber) and swaps in newly deployed
// versions, until ctx ends. When the registry is unreachable it keeps
// the loaded models, reports not ready and retries with backoff.
func (s *Server) Sync(ctx context.Context) {
	backoff := s.cfg.MinBackoff
	for ctx.Err() == nil {
		err := s.syncOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.storeOK.Store(false)
		s.met.registryUp.Set(0)
		s.log.Warn("registry unavailable, serving loaded models", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, s.cfg.MaxBackoff)
	}
}

func (s *Server) syncOnce(ctx context.Context) error {
	sub, err := modelstore.Subscribe(ctx, s.store, s.cfg.Subscriber)
	if err != nil {
		return err
	}
	if err := s.refreshAll(ctx); err != nil {
		return err
	}
	s.synced.Store(true)
	s.markOK()
	events := make(chan modelstore.Event)
	errc := make(chan error, 1)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			ev, err := sub.Next(wctx)
			if err != nil {
				errc <- err
				return
			}
			select {
			case events <- ev:
			case <-wctx.Done():
				errc <- wctx.Err()
				return
			}
		}
	}()
	for {
		select {
		case ev := <-events:
			s.markOK()
			s.handle(ctx, ev)
			if err := sub.Ack(ctx, ev); err != nil {
				cancel()
				<-errc
				return err
			}
		case <-s.reloadReq:
			if err := s.refreshAll(ctx); err != nil {
				cancel()
				<-errc
				return err
			}
		case err := <-errc:
			return err
		}
	}
}

func (s *Server) markOK() {
	s.storeOK.Store(true)
	s.met.registryUp.Set(1)
}

// handle reacts to one registry event. Events are triggers: the registry
// is the truth, so replaying old events is harmless.
func (s *Server) handle(ctx context.Context, ev modelstore.Event) {
	s.aliases.invalidate(ev.Model)
	switch ev.Type {
	case modelstore.EventDeployed, modelstore.EventDeprecated, modelstore.EventDeleted:
		if ev.Type == modelstore.EventDeleted {
			s.pinned.drop(ev.Model, ev.Version)
		}
		if err := s.refresh(ctx, ev.Model); err != nil {
			s.log.Error("refresh model", "model", ev.Model, "err", err)
		}
	}
}

// refreshAll loads the deployed version of every model.
func (s *Server) refreshAll(ctx context.Context) error {
	names, err := s.store.ListModels(ctx)
	if err != nil {
		return fmt.Errorf("list models: %w", err)
	}
	for _, n := range names {
		if err := s.refresh(ctx, n); err != nil {
			if isUnavailable(err) {
				return err
			}
			s.log.Error("load model", "model", n, "err", err)
		}
	}
	// Models that vanished from the registry stop being served.
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	for n := range *s.deployed.Load() {
		if !known[n] {
			s.setDeployed(n, nil)
		}
	}
	return nil
}

func isUnavailable(err error) bool {
	return errors.Is(err, modelstore.ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// refresh makes the model's highest deployed version the one served,
// loading it first (requests keep using the old one meanwhile).
func (s *Server) refresh(ctx context.Context, name string) error {
	vs, err := s.store.Deployed(ctx, name)
	if err != nil {
		return fmt.Errorf("model %q: deployed versions: %w", name, err)
	}
	if len(vs) == 0 {
		s.setDeployed(name, nil)
		return nil
	}
	top := vs[0]
	if cur := (*s.deployed.Load())[name]; cur != nil && cur.version == top.Version {
		return nil
	}
	start := s.cfg.Now()
	m, err := s.load(ctx, top)
	if err != nil {
		s.met.loads.WithLabelValues(name, "error").Inc()
		return err
	}
	s.met.loads.WithLabelValues(name, "ok").Inc()
	s.setDeployed(name, m)
	s.log.Info("model deployed", "model", name, "version", top.Version, "load_time", s.cfg.Now().Sub(start))
	return nil
}

func (s *Server) load(ctx context.Context, v modelstore.Version) (*model, error) {
	st, err := modelstore.LoadStage(ctx, s.store, v.Model, v.Version, nil)
	if err != nil {
		return nil, err
	}
	m, err := newModel(v.Model, v, st)
	if err != nil {
		return nil, err
	}
	m.rows = s.met.rows.WithLabelValues(v.Model)
	return m, nil
}

// setDeployed swaps model name's served version (nil: stop serving it).
func (s *Server) setDeployed(name string, m *model) {
	s.swapMu.Lock()
	defer s.swapMu.Unlock()
	old := *s.deployed.Load()
	next := make(deployedSet, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	if m == nil {
		delete(next, name)
		s.met.version.DeleteLabelValues(name)
	} else {
		next[name] = m
		s.met.version.WithLabelValues(name).Set(float64(m.version))
	}
	s.deployed.Store(&next)
}

// current returns the deployed model name, or nil.
func (s *Server) current(name string) *model { return (*s.deployed.Load())[name] }

// lookup finds the model for name and ref: "" is the deployed version,
// a number pins a version, anything else ("champion", "@champion",
// "latest") is resolved through the registry (cached until the model's
// next event).
func (s *Server) lookup(ctx context.Context, name, ref string) (*model, *Error) {
	if ref == "" {
		if m := s.current(name); m != nil {
			return m, nil
		}
		if !s.synced.Load() {
			return nil, errorf(CodeModelUnavailable, "model %q: server is still loading models", name)
		}
		return nil, errorf(CodeModelNotFound, "model %q: no deployed version", name)
	}
	ref = trimAt(ref)
	var v int64
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		v = n
	} else if n, ok := s.aliases.get(name, ref); ok {
		v = n
	} else {
		ver, err := modelstore.Resolve(ctx, s.store, name, ref)
		if err != nil {
			return nil, storeError(err, name, ref)
		}
		v = ver.Version
		s.aliases.put(name, ref, v)
	}
	if m := s.current(name); m != nil && m.version == v {
		return m, nil
	}
	m, err := s.pinned.get(ctx, pinKey{name, v}, func(ctx context.Context) (*model, error) {
		ver, err := s.store.Get(ctx, name, v)
		if err != nil {
			return nil, err
		}
		return s.load(ctx, ver)
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		if errors.Is(err, modelstore.ErrNotFound) || errors.Is(err, modelstore.ErrInvalidName) {
			return nil, storeError(err, name, strconv.FormatInt(v, 10))
		}
		if isUnavailable(err) {
			return nil, errorf(CodeModelUnavailable, "model %q version %d: %v", name, v, err)
		}
		return nil, errorf(CodeModelUnavailable, "model %q version %d: load: %v", name, v, err)
	}
	return m, nil
}

func trimAt(ref string) string {
	if len(ref) > 0 && ref[0] == '@' {
		return ref[1:]
	}
	return ref
}

// probe reports whether the registry answers, caching the answer for
// Config.ReadyProbeTTL.
func (s *Server) probe(ctx context.Context) error {
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	now := s.cfg.Now()
	if !s.probeAt.IsZero() && now.Sub(s.probeAt) < s.cfg.ReadyProbeTTL {
		return s.probeErr
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := s.store.Cursor(ctx, s.cfg.Subscriber)
	s.probeAt, s.probeErr = now, err
	if err != nil {
		s.storeOK.Store(false)
		s.met.registryUp.Set(0)
	}
	return err
}
