package httpapi

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/prometheus/client_golang/prometheus"
)

// Config configures a Server. Zero fields take the defaults below
// (setDefaults); Validate checks the result.
type Config struct {
	// Addr is the listen address for ListenAndServe (default ":8080").
	Addr string
	// Token is the bearer token of admin routes (and of predict routes
	// when RequireTokenForPredict is set). Empty disables admin routes.
	Token string
	// RequireTokenForPredict makes predict and infer routes need Token.
	RequireTokenForPredict bool
	// MaxBodyBytes caps a request body (default 16 MiB).
	MaxBodyBytes int64
	// MaxRows caps the rows of one request (default 10,000).
	MaxRows int
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout bound
	// a request's headers, its headers and body, what follows its headers
	// (body, model, answer), and the wait between requests (defaults 5s,
	// 30s, 30s, 120s). Run closes a connection over a limit within a
	// tenth of the shortest limit after it expires (connwatch.go).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// DisableFastLane makes Run serve every request through net/http.
	// By default the JSON predict requests the row path answers are
	// served by a leaner HTTP/1.1 loop (fastlane.go), with the same bytes.
	DisableFastLane bool
	// PinnedCacheSize is how many pinned (non-deployed) versions stay
	// loaded, least recently used first out (default 8).
	PinnedCacheSize int
	// Subscriber names the server's durable event cursor in the registry
	// (default "httpapi").
	Subscriber string
	// MinBackoff and MaxBackoff bound the wait before the watcher retries
	// an unreachable registry (defaults 100ms and 5s).
	MinBackoff, MaxBackoff time.Duration
	// ReadyProbeTTL is how long a registry probe made by /readyz is
	// reused (default 1s).
	ReadyProbeTTL time.Duration
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// Registerer receives the server's metrics and Gatherer serves them
	// on /metrics. If both are nil a new prometheus.Registry is used; if
	// only Registerer is set and it is a Gatherer it is used for both.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Allocator holds request batches. The default pools buffers of 4 KiB
	// to 16 MiB by power-of-two size class and reuses them across
	// requests (a model's per-request output batches then cost the
	// garbage collector nothing).
	Allocator memory.Allocator
}

func (c *Config) setDefaults() {
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 16 << 20
	}
	if c.MaxRows == 0 {
		c.MaxRows = 10_000
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ReadHeaderTimeout, 5*time.Second)
	def(&c.ReadTimeout, 30*time.Second)
	def(&c.WriteTimeout, 30*time.Second)
	def(&c.IdleTimeout, 120*time.Second)
	def(&c.MinBackoff, 100*time.Millisecond)
	def(&c.MaxBackoff, 5*time.Second)
	def(&c.ReadyProbeTTL, time.Second)
	if c.PinnedCacheSize == 0 {
		c.PinnedCacheSize = 8
	}
	if c.Subscriber == "" {
		c.Subscriber = "httpapi"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Registerer == nil && c.Gatherer == nil {
		r := prometheus.NewRegistry()
		c.Registerer, c.Gatherer = r, r
	}
	if c.Gatherer == nil {
		if g, ok := c.Registerer.(prometheus.Gatherer); ok {
			c.Gatherer = g
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Allocator == nil {
		c.Allocator = newPoolAllocator()
	}
}

// Validate reports every invalid field.
func (c *Config) Validate() error {
	var errs []error
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("max_body_bytes: %d is negative", c.MaxBodyBytes))
	}
	if c.MaxRows < 0 {
		errs = append(errs, fmt.Errorf("max_rows: %d is negative", c.MaxRows))
	}
	if c.PinnedCacheSize < 0 {
		errs = append(errs, fmt.Errorf("pinned_cache_size: %d is negative", c.PinnedCacheSize))
	}
	for name, d := range map[string]time.Duration{"read_header_timeout": c.ReadHeaderTimeout, "read_timeout": c.ReadTimeout,
		"write_timeout": c.WriteTimeout, "idle_timeout": c.IdleTimeout, "min_backoff": c.MinBackoff, "max_backoff": c.MaxBackoff} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s: %v is negative", name, d))
		}
	}
	if c.MaxBackoff < c.MinBackoff {
		errs = append(errs, fmt.Errorf("max_backoff: %v is below min_backoff %v", c.MaxBackoff, c.MinBackoff))
	}
	if c.RequireTokenForPredict && c.Token == "" {
		errs = append(errs, errors.New("require_token_for_predict: needs a token"))
	}
	if c.Registerer != nil && c.Gatherer == nil {
		errs = append(errs, errors.New("gatherer: needed to serve /metrics when the registerer is not a prometheus.Gatherer"))
	}
	return errors.Join(errs...)
}
