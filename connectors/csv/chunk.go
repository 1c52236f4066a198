package csv

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

// result is a parsed chunk: the good rows as a record, the rows skipped
// under the Skip policy, and the error that stopped it under Fail.
type result struct {
	rec   arrow.Record
	dead  []byte // raw text of the skipped rows, each ending in '\n'
	ends  []int  // end of each skipped row in dead
	at    []int  // good rows before each skipped row
	err   error
	final bool // no more results follow (error from the input)
}

func (r *result) release() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
}

// config is what a parser needs from the Reader; it is shared read-only.
type config struct {
	name        string
	sep         byte
	cols        []column
	schema      *arrow.Schema
	mem         memory.Allocator
	skip        bool
	nulls       [][]byte
	maxNull     int
	fastNumbers bool // no null value looks like a number
	inferRows   int
}

func (c *config) isNull(b []byte) bool {
	if len(b) > c.maxNull {
		return false
	}
	for _, n := range c.nulls {
		if string(b) == string(n) {
			return true
		}
	}
	return false
}

// colBuf is the output of one column while a chunk is parsed.
type colBuf struct {
	vals  *memory.Buffer
	f64   []float64
	i64   []int64
	bits  []byte // bool values
	valid *memory.Buffer
	vbits []byte
	nulls int
	offs  *memory.Buffer
	off   []int32
	data  []byte // string bytes, reused between chunks
}

// parser turns chunks into records; each worker goroutine owns one.
type parser struct {
	cfg     *config
	bufs    []colBuf
	scratch []byte
}

func newParser(cfg *config) *parser {
	return &parser{cfg: cfg, bufs: make([]colBuf, len(cfg.cols))}
}

func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

func (p *parser) reset(rows int) {
	mem := p.cfg.mem
	for ci, c := range p.cfg.cols {
		b := &p.bufs[ci]
		b.nulls = 0
		b.valid, b.vbits = nil, nil
		switch c.kind {
		case kFloat64:
			b.vals = newBuffer(mem, rows*8)
			b.f64 = arrow.Float64Traits.CastFromBytes(b.vals.Bytes())
		case kVector:
			b.vals = newBuffer(mem, rows*8*c.size)
			b.f64 = arrow.Float64Traits.CastFromBytes(b.vals.Bytes())
		case kInt64, kTimestamp:
			b.vals = newBuffer(mem, rows*8)
			b.i64 = arrow.Int64Traits.CastFromBytes(b.vals.Bytes())
		case kBool:
			b.vals = newBuffer(mem, int(bitutil.BytesForBits(int64(rows))))
			b.bits = b.vals.Bytes()
		case kString:
			b.offs = newBuffer(mem, (rows+1)*4)
			b.off = arrow.Int32Traits.CastFromBytes(b.offs.Bytes())
			b.off[0] = 0
			b.data = b.data[:0]
		}
	}
}

// free releases the buffers of an unfinished chunk.
func (p *parser) free() {
	for ci := range p.bufs {
		b := &p.bufs[ci]
		for _, m := range []*memory.Buffer{b.vals, b.valid, b.offs} {
			if m != nil {
				m.Release()
			}
		}
		b.vals, b.valid, b.offs = nil, nil, nil
	}
}

func (b *colBuf) setNull(row, rows int, mem memory.Allocator) {
	if b.valid == nil {
		b.valid = newBuffer(mem, int(bitutil.BytesForBits(int64(rows))))
		b.vbits = b.valid.Bytes()
		bitutil.SetBitsTo(b.vbits, 0, int64(row), true)
	}
	bitutil.ClearBit(b.vbits, row)
}

// term looks for the end of a field at d[j].
func term(d []byte, j int, sep byte) (next int, eol, ok bool) {
	if j == len(d) {
		return j, true, true
	}
	switch d[j] {
	case sep:
		return j + 1, false, true
	case '\n':
		return j + 1, true, true
	case '\r':
		if j+1 == len(d) {
			return j + 1, true, true
		}
		if d[j+1] == '\n' {
			return j + 2, true, true
		}
	}
	return 0, false, false
}

// valueError is a field that does not parse.
type valueError struct {
	col   int
	value []byte
	err   error
}

// parse decodes a chunk. Under Fail it stops at the first bad row and
// returns the rows before it with the error.
func (p *parser) parse(c *chunk) (res result) {
	cfg := p.cfg
	d, sep := c.data, cfg.sep
	ncol := len(cfg.cols)
	rows := c.rows
	p.reset(rows)
	line := c.line
	out := 0
	i := 0
	for i < len(d) {
		if n, blank := isBlank(d, i); blank {
			i = n
			line++
			continue
		}
		if out == rows {
			p.free()
			return result{err: fmt.Errorf("%s: line %d: internal error: chunk holds more rows than counted", cfg.name, line)}
		}
		rowStart, rowLine := i, line
		lines := 0
		var verr *valueError
		eol := false
		nf := 0 // fields seen
		for ci := 0; ci < ncol && !eol; ci++ {
			b := &p.bufs[ci]
			nf++
			col := &cfg.cols[ci]
			if cfg.fastNumbers && i < len(d) && d[i] != '"' {
				switch col.kind {
				case kFloat64:
					if v, j, ok := fastFloat(d, i); ok {
						if n, e, ok := term(d, j, sep); ok {
							b.f64[out] = v
							if b.vbits != nil {
								bitutil.SetBit(b.vbits, out)
							}
							i, eol = n, e
							continue
						}
					}
				case kInt64:
					if v, j, ok := fastInt(d, i); ok {
						if n, e, ok := term(d, j, sep); ok {
							b.i64[out] = v
							if b.vbits != nil {
								bitutil.SetBit(b.vbits, out)
							}
							i, eol = n, e
							continue
						}
					}
				}
			}
			f, n, e, err := scanField(d, i, sep)
			lines += f.lines
			i, eol = n, e
			if err != nil {
				verr = &valueError{col: ci, value: d[f.start:f.end], err: err}
				break
			}
			if err := p.store(b, col, out, rows, fieldBytes(d, f, &p.scratch), f.quoted); err != nil {
				verr = &valueError{col: ci, value: fieldBytes(d, f, &p.scratch), err: err}
				break
			}
		}
		if verr != nil || !eol || nf < ncol {
			// A bad row: find its end and count its fields.
			for !eol {
				f, n, e, _ := scanField(d, i, sep)
				lines += f.lines
				i, eol = n, e
				nf++
			}
			rerr := &connectors.RowError{File: cfg.name, Line: rowLine, Index: -1}
			if verr != nil && (nf == ncol || errors.Is(verr.err, errUnterminated)) {
				rerr.Column = cfg.cols[verr.col].name
				rerr.Index = verr.col
				rerr.Value = string(verr.value)
				rerr.Err = verr.err
			} else {
				rerr.Value = string(trimRow(d[rowStart:i]))
				rerr.Err = fmt.Errorf("wrong number of fields: got %d, want %d", nf, ncol)
			}
			line += 1 + int64(lines)
			// Undo what the row wrote to string columns.
			for ci, col := range cfg.cols {
				if col.kind == kString {
					p.bufs[ci].data = p.bufs[ci].data[:p.bufs[ci].off[out]]
				}
			}
			if !cfg.skip {
				res.rec = p.finish(out)
				res.err = rerr
				return res
			}
			res.at = append(res.at, out)
			res.dead = append(res.dead, trimRow(d[rowStart:i])...)
			res.dead = append(res.dead, '\n')
			res.ends = append(res.ends, len(res.dead))
			continue
		}
		line += 1 + int64(lines)
		out++
	}
	res.rec = p.finish(out)
	return res
}

func trimRow(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

var errNotNullable = errors.New("null in a non-nullable column")

// store decodes one field that did not take the numeric fast path.
func (p *parser) store(b *colBuf, col *column, out, rows int, v []byte, quoted bool) error {
	cfg := p.cfg
	if col.kind == kString {
		if !quoted && cfg.isNull(v) {
			if !col.nullable {
				return errNotNullable
			}
			b.setNull(out, rows, cfg.mem)
			b.off[out+1] = int32(len(b.data))
			return nil
		}
		if b.vbits != nil {
			bitutil.SetBit(b.vbits, out)
		}
		b.data = append(b.data, v...)
		if len(b.data) > 1<<31-1 {
			return errors.New("string data of one batch over 2 GiB: lower the batch size")
		}
		b.off[out+1] = int32(len(b.data))
		return nil
	}
	if len(v) == 0 || cfg.isNull(v) {
		if !col.nullable {
			return errNotNullable
		}
		b.setNull(out, rows, cfg.mem)
		switch col.kind {
		case kFloat64:
			b.f64[out] = 0
		case kInt64, kTimestamp:
			b.i64[out] = 0
		case kBool:
			bitutil.ClearBit(b.bits, out)
		case kVector:
			clear(b.f64[out*col.size : (out+1)*col.size])
		}
		return nil
	}
	switch col.kind {
	case kFloat64:
		x, err := parseFloat(v)
		if err != nil {
			return errors.New("not a float64")
		}
		b.f64[out] = x
	case kInt64:
		x, err := parseInt(v)
		if err != nil {
			if col.inferred {
				return fmt.Errorf("not an int64 (the type was inferred from the first %d rows: raise InferRows or give the column in Schema)", cfg.inferRows)
			}
			return errors.New("not an int64")
		}
		b.i64[out] = x
	case kBool:
		x, ok := parseBool(v)
		if !ok {
			if col.inferred {
				return fmt.Errorf("not a bool (the type was inferred from the first %d rows: raise InferRows or give the column in Schema)", cfg.inferRows)
			}
			return errors.New("not a bool")
		}
		bitutil.SetBitTo(b.bits, out, x)
	case kVector:
		if !parseVector(b.f64[out*col.size:(out+1)*col.size], v) {
			return fmt.Errorf("not a vector of %d float64 values", col.size)
		}
	case kTimestamp:
		x, err := parseTimestamp(v, col.ts)
		if err != nil {
			return err
		}
		b.i64[out] = x
	}
	if b.vbits != nil {
		bitutil.SetBit(b.vbits, out)
	}
	return nil
}

// parseVector parses exactly len(dst) numbers separated by spaces or
// semicolons, optionally inside square brackets.
func parseVector(dst []float64, v []byte) bool {
	if len(v) >= 2 && v[0] == '[' && v[len(v)-1] == ']' {
		v = v[1 : len(v)-1]
	}
	k := 0
	i := 0
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == ';' || v[i] == '\t') {
			i++
		}
		if i == len(v) {
			break
		}
		j := i
		for j < len(v) && v[j] != ' ' && v[j] != ';' && v[j] != '\t' {
			j++
		}
		if k == len(dst) {
			return false
		}
		x, err := parseFloat(v[i:j])
		if err != nil {
			return false
		}
		dst[k] = x
		k++
		i = j
	}
	return k == len(dst)
}

// finish builds the record of the first n rows and releases the buffers.
func (p *parser) finish(n int) arrow.Record {
	cfg := p.cfg
	arrs := make([]arrow.Array, len(cfg.cols))
	for ci, col := range cfg.cols {
		b := &p.bufs[ci]
		if b.vbits != nil {
			b.nulls = n - bitutil.CountSetBits(b.vbits, 0, n)
		}
		var data arrow.ArrayData
		switch col.kind {
		case kString:
			db := newBuffer(cfg.mem, len(b.data))
			copy(db.Bytes(), b.data)
			data = array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{b.valid, b.offs, db}, nil, b.nulls, 0)
			db.Release()
		case kVector:
			child := array.NewData(arrow.PrimitiveTypes.Float64, n*col.size, []*memory.Buffer{nil, b.vals}, nil, 0, 0)
			data = array.NewData(col.arrowType(), n, []*memory.Buffer{b.valid}, []arrow.ArrayData{child}, b.nulls, 0)
			child.Release()
		default:
			data = array.NewData(col.arrowType(), n, []*memory.Buffer{b.valid, b.vals}, nil, b.nulls, 0)
		}
		arrs[ci] = array.MakeFromData(data)
		data.Release()
	}
	p.free()
	rec := array.NewRecord(cfg.schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}
