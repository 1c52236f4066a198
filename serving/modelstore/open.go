package modelstore

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Options tune a store. Nil or zero fields take defaults.
type Options struct {
	// Now stamps versions and events; nil means time.Now.
	Now func() time.Time
	// PollInterval is how often a file store's Watch looks for events
	// written by other processes (default 100ms).
	PollInterval time.Duration
	// Redis only:
	// Prefix starts every key (default "eddy:modelstore:"; the URL query
	// ?prefix= overrides it).
	Prefix string
	// ChunkSize is the blob chunk size (default 512 KiB).
	ChunkSize int
	// UploadTTL is how long the chunks of an upload that was never
	// published live (default 1h).
	UploadTTL time.Duration
	// Retry governs retries of calls that lost the connection.
	Retry RetryPolicy
}

// RetryPolicy is bounded exponential backoff.
type RetryPolicy struct {
	// Attempts is the number of tries in all (default 6).
	Attempts int
	// MinBackoff is the first wait (default 50ms), doubled each time up
	// to MaxBackoff (default 2s).
	MinBackoff, MaxBackoff time.Duration
}

func (o *Options) now() func() time.Time {
	if o == nil || o.Now == nil {
		return time.Now
	}
	return o.Now
}

func (o *Options) pollInterval() time.Duration {
	if o == nil || o.PollInterval <= 0 {
		return defaultPoll
	}
	return o.PollInterval
}

// DefaultURL is the registry used when none is given: an embedded store
// in .eddy under the working directory.
const DefaultURL = "file://.eddy"

// Open opens a store by URL:
//
//	file://DIR            embedded store in DIR (relative paths allowed:
//	                      file://.eddy; absolute: file:///var/lib/eddy)
//	redis://host:port/db  Redis (rediss:// for TLS), see OpenRedis
func Open(ctx context.Context, rawURL string) (Store, error) {
	return OpenWith(ctx, rawURL, nil)
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, rawURL string, opts *Options) (Store, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, fmt.Errorf("open registry %q: want a URL like file://DIR or redis://host:port/db", rawURL)
	}
	switch strings.ToLower(scheme) {
	case "file":
		dir, err := fileURLPath(rest)
		if err != nil {
			return nil, fmt.Errorf("open registry %q: %w", rawURL, err)
		}
		return OpenDir(dir, opts)
	case "redis", "rediss":
		return OpenRedis(ctx, rawURL, opts)
	}
	return nil, fmt.Errorf("open registry %q: unknown scheme %q (want file or redis)", rawURL, scheme)
}

// fileURLPath turns the part after file:// into a directory: "DIR",
// "/abs/dir" (from file:///abs/dir) or "localhost/abs/dir".
func fileURLPath(rest string) (string, error) {
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		return "", fmt.Errorf("file URL: unexpected %q (no query or fragment allowed)", rest[i:])
	}
	rest = strings.TrimPrefix(rest, "localhost/")
	p, err := url.PathUnescape(rest)
	if err != nil {
		return "", fmt.Errorf("file URL: %w", err)
	}
	if p == "" {
		return "", fmt.Errorf("file URL: empty directory")
	}
	return filepath.FromSlash(p), nil
}
