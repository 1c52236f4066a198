package csv

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/eddyml/eddy/connectors"
)

// DefaultInferRows is the number of data rows schema inference looks at
// when Options.InferRows is zero.
const DefaultInferRows = 10000

// DefaultNullValues are the unquoted texts read as null when
// Options.NullValues is nil. An empty field is null in every column that is
// not a string column, whatever the list says.
var DefaultNullValues = []string{"", "NA", "N/A", "NULL", "null"}

// Options configure a Reader. Zero values mean defaults.
type Options struct {
	connectors.ReadOptions
	// Comma is the field separator: ',' by default, '\t' for files named
	// *.tsv or *.tsv.gz.
	Comma byte
	// NullValues are the unquoted field texts read as null
	// (DefaultNullValues when nil). Quoted fields are never null in string
	// columns, so an empty string and a null both survive a write and read.
	NullValues []string
	// InferRows is how many data rows type inference looks at
	// (DefaultInferRows when 0; a negative value means the whole input,
	// which reads a file twice).
	InferRows int
	// Workers is the number of goroutines parsing chunks in parallel
	// (GOMAXPROCS when 0).
	Workers int
	// Name is the file name used in errors by NewReader; Open sets it to the
	// path.
	Name string
}

func (o Options) withDefaults(path string) (Options, error) {
	o.ReadOptions = o.ReadOptions.WithDefaults()
	if o.Comma == 0 {
		o.Comma = ','
		if isTSV(path) {
			o.Comma = '\t'
		}
	}
	switch o.Comma {
	case '"', '\n', '\r':
		return o, fmt.Errorf("csv: invalid separator %q", o.Comma)
	}
	if o.NullValues == nil {
		o.NullValues = DefaultNullValues
	}
	if o.InferRows == 0 {
		o.InferRows = DefaultInferRows
	}
	if o.Name == "" {
		o.Name = path
	}
	return o, nil
}

func isTSV(path string) bool {
	name := strings.ToLower(filepath.Base(path))
	name = strings.TrimSuffix(name, ".gz")
	return filepath.Ext(name) == ".tsv"
}

// WriterOptions configure a Writer. Zero values mean defaults.
type WriterOptions struct {
	connectors.WriteOptions
	// Comma is the field separator: ',' by default, '\t' for *.tsv files.
	Comma byte
	// VectorSep separates the elements of a vector column inside its quoted
	// field: ' ' by default; ';' is the other choice the Reader accepts.
	VectorSep byte
}

func (o WriterOptions) withDefaults(path string) (WriterOptions, error) {
	o.WriteOptions = o.WriteOptions.WithDefaults()
	if o.Comma == 0 {
		o.Comma = ','
		if isTSV(path) {
			o.Comma = '\t'
		}
	}
	switch o.Comma {
	case '"', '\n', '\r':
		return o, fmt.Errorf("csv: invalid separator %q", o.Comma)
	}
	if o.VectorSep == 0 {
		o.VectorSep = ' '
	}
	if o.VectorSep != ' ' && o.VectorSep != ';' {
		return o, fmt.Errorf("csv: vector separator %q: want ' ' or ';'", o.VectorSep)
	}
	return o, nil
}

func init() {
	connectors.Register(connectors.Format{
		Kind:       "csv",
		Extensions: []string{".csv", ".tsv"},
		Open: func(ctx context.Context, path string, opts connectors.ReadOptions) (connectors.Source, error) {
			return Open(ctx, path, Options{ReadOptions: opts})
		},
		Create: func(path string, schema *arrow.Schema, opts connectors.WriteOptions) (connectors.Writer, error) {
			return Create(path, schema, WriterOptions{WriteOptions: opts})
		},
	})
}
