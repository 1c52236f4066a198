package connectors

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

// DefaultBatchSize is the number of rows per batch when ReadOptions leaves
// BatchSize at zero.
const DefaultBatchSize = 64 * 1024

// ErrorPolicy says what a reader does with a row it cannot decode.
type ErrorPolicy int

const (
	// Fail stops the reader with a *RowError naming file, line, column and
	// value. It is the default.
	Fail ErrorPolicy = iota
	// Skip counts the row, writes it to the dead-letter writer when one is
	// set, and goes on.
	Skip
)

// ParseErrorPolicy parses "fail" or "skip".
func ParseErrorPolicy(s string) (ErrorPolicy, error) {
	switch strings.ToLower(s) {
	case "", "fail":
		return Fail, nil
	case "skip":
		return Skip, nil
	}
	return Fail, fmt.Errorf("unknown error policy %q: want fail or skip", s)
}

func (p ErrorPolicy) String() string {
	if p == Skip {
		return "skip"
	}
	return "fail"
}

// ReadOptions are the settings every file source understands. Zero values
// mean defaults.
type ReadOptions struct {
	// BatchSize is the number of rows per record batch (DefaultBatchSize).
	BatchSize int
	// Allocator allocates every batch (memory.DefaultAllocator).
	Allocator memory.Allocator
	// Schema overrides schema inference for formats that infer (CSV,
	// JSON lines). Columns are matched by name.
	Schema *arrow.Schema
	// OnError is the policy for rows that cannot be decoded.
	OnError ErrorPolicy
	// DeadLetter receives each skipped row as its raw text, one per line,
	// when OnError is Skip. Nil means skipped rows are only counted.
	DeadLetter io.Writer
}

// WithDefaults returns o with zero fields replaced by their defaults.
func (o ReadOptions) WithDefaults() ReadOptions {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	return o
}

// WriteOptions are the settings every file sink understands.
type WriteOptions struct {
	Allocator memory.Allocator
}

// WithDefaults returns o with zero fields replaced by their defaults.
func (o WriteOptions) WithDefaults() WriteOptions {
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	return o
}

// Source is a Reader over a file. Sources that can be replayed also
// implement table.Seeker.
type Source interface {
	table.Reader
	// Skipped is the number of rows dropped under the Skip policy so far.
	Skipped() int64
}

// Writer writes record batches to a file. Close flushes and closes it; a
// file is complete only after Close returns nil.
type Writer interface {
	Write(rec arrow.Record) error
	Close() error
}

// Aborter is the optional ability of a Writer to discard what it wrote
// instead of completing the file (atomic writers remove their temporary
// file). Callers abort on any error before Close.
type Aborter interface {
	Abort() error
}

// RowError is a bad row: where it is and what is wrong with it.
type RowError struct {
	File   string // file path, or "" for a stream
	Line   int64  // 1-based physical line of the row's start
	Column string // column name, or "" when the whole row is bad
	Index  int    // 0-based column position, or -1
	Value  string // the offending text, truncated for display
	Err    error
}

func (e *RowError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	fmt.Fprintf(&b, "line %d", e.Line)
	if e.Column != "" || e.Index >= 0 {
		fmt.Fprintf(&b, ", column %d", e.Index+1)
		if e.Column != "" {
			fmt.Fprintf(&b, " (%s)", e.Column)
		}
	}
	if e.Value != "" {
		v := e.Value
		if len(v) > 64 {
			v = v[:61] + "..."
		}
		fmt.Fprintf(&b, ", value %q", v)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *RowError) Unwrap() error { return e.Err }

// Format is a file format: a kind name, the file extensions it claims and
// its constructors. Connector packages register their formats in init.
type Format struct {
	Kind       string
	Extensions []string // lower case, with the dot: ".csv"
	Open       func(ctx context.Context, path string, opts ReadOptions) (Source, error)
	Create     func(path string, schema *arrow.Schema, opts WriteOptions) (Writer, error)
}

var (
	formatsMu sync.RWMutex
	formats   = map[string]Format{}
)

// Register adds a format. It panics on a duplicate kind or extension,
// which is a programming error caught at init.
func Register(f Format) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	if _, dup := formats[f.Kind]; dup {
		panic("connectors: duplicate format " + f.Kind)
	}
	for _, g := range formats {
		for _, e := range g.Extensions {
			for _, x := range f.Extensions {
				if e == x {
					panic("connectors: extension " + x + " claimed by " + g.Kind + " and " + f.Kind)
				}
			}
		}
	}
	formats[f.Kind] = f
}

// Formats lists the registered formats by kind.
func Formats() []Format {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	out := make([]Format, 0, len(formats))
	for _, f := range formats {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// FormatFor finds the format of a path by its extension; a trailing ".gz"
// is looked through (data.csv.gz is CSV).
func FormatFor(path string) (Format, error) {
	name := strings.ToLower(filepath.Base(path))
	name = strings.TrimSuffix(name, ".gz")
	ext := filepath.Ext(name)
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	for _, f := range formats {
		for _, x := range f.Extensions {
			if x == ext {
				return f, nil
			}
		}
	}
	var known []string
	for _, f := range formats {
		known = append(known, f.Extensions...)
	}
	sort.Strings(known)
	return Format{}, fmt.Errorf("%s: unknown file format %q (known: %s)", path, ext, strings.Join(known, " "))
}

// Open opens path with the format its extension names.
func Open(ctx context.Context, path string, opts ReadOptions) (Source, error) {
	f, err := FormatFor(path)
	if err != nil {
		return nil, err
	}
	if f.Open == nil {
		return nil, fmt.Errorf("%s: format %s cannot be read", path, f.Kind)
	}
	return f.Open(ctx, path, opts.WithDefaults())
}

// Create creates path with the format its extension names.
func Create(path string, schema *arrow.Schema, opts WriteOptions) (Writer, error) {
	f, err := FormatFor(path)
	if err != nil {
		return nil, err
	}
	if f.Create == nil {
		return nil, fmt.Errorf("%s: format %s cannot be written", path, f.Kind)
	}
	return f.Create(path, schema, opts.WithDefaults())
}
