package modelstream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/internal/ipcverify"
	"github.com/eddyml/eddy/pipeline/table"
)

// Column names of a model stream record.
const (
	ColVersion   = "version"
	ColRows      = "rows"
	ColLearner   = "learner"
	ColModelKind = "model_kind"
	ColData      = "data"
	ColTime      = "time"
)

// Schema is the schema of a model stream record: one row per model version.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: ColVersion, Type: arrow.PrimitiveTypes.Int64},
	{Name: ColRows, Type: arrow.PrimitiveTypes.Int64},
	{Name: ColLearner, Type: arrow.BinaryTypes.String},
	{Name: ColModelKind, Type: arrow.BinaryTypes.String},
	{Name: ColData, Type: arrow.BinaryTypes.Binary},
	{Name: ColTime, Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
}, nil)

// maxData bounds one encoded model data record (and a decoded blob), so a
// corrupted length cannot make Decode allocate without limit.
const maxData = 1 << 31

// Version is one decoded model stream row.
type Version struct {
	Version   int64
	Rows      int64
	Learner   string
	ModelKind string
	Time      time.Time
	// Data are the model data records, each carrying Version in its schema
	// metadata (pipeline.ModelVersionKey). Release them (or call Release).
	Data []arrow.Record
}

// Release releases the model data records.
func (v *Version) Release() {
	for _, r := range v.Data {
		r.Release()
	}
	v.Data = nil
}

// Encode returns a one-row model stream record (Schema) for a model
// version. modelData are borrowed; the caller owns one Release of the
// result. The data column wraps the encoded bytes without copying them
// (Go-managed memory); the other columns come from mem.
func Encode(mem memory.Allocator, version, rows int64, learner, modelKind string, t time.Time, modelData []arrow.Record) (arrow.Record, error) {
	data, err := EncodeData(modelData)
	if err != nil {
		return nil, err
	}
	b := array.NewRecordBuilder(mem, Schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).Append(version)
	b.Field(1).(*array.Int64Builder).Append(rows)
	b.Field(2).(*array.StringBuilder).Append(learner)
	b.Field(3).(*array.StringBuilder).Append(modelKind)
	b.Field(4).(*array.BinaryBuilder).AppendNull() // replaced below
	b.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
	tmp := b.NewRecord()
	defer tmp.Release()
	offsets := arrow.Int32Traits.CastToBytes([]int32{0, int32(len(data))})
	if len(data) > math.MaxInt32 {
		return nil, fmt.Errorf("modelstream: encode: model data of %d bytes is too large", len(data))
	}
	ad := array.NewData(arrow.BinaryTypes.Binary, 1,
		[]*memory.Buffer{nil, memory.NewBufferBytes(offsets), memory.NewBufferBytes(data)}, nil, 0, 0)
	defer ad.Release()
	col := array.NewBinaryData(ad)
	defer col.Release()
	cols := append([]arrow.Array(nil), tmp.Columns()...)
	cols[4] = col
	return array.NewRecord(Schema, cols, 1), nil
}

// EncodeData writes model data records as the data column holds them: for
// each record, its byte length (uint64, little endian) and the record as
// an Arrow IPC stream (schema with its metadata, one batch, end of stream).
// Model data records may have different schemas, hence one IPC stream
// each.
func EncodeData(recs []arrow.Record) ([]byte, error) {
	var size int64
	for _, r := range recs {
		size += recordBytes(r) + 1024
	}
	var out bytes.Buffer
	out.Grow(int(size))
	for i, r := range recs {
		at := out.Len()
		out.Write(make([]byte, 8)) // length, patched below
		w := ipc.NewWriter(&out, ipc.WithSchema(r.Schema()))
		if err := w.Write(r); err != nil {
			return nil, fmt.Errorf("modelstream: encode model data record %d: %w", i, err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("modelstream: encode model data record %d: %w", i, err)
		}
		binary.LittleEndian.PutUint64(out.Bytes()[at:], uint64(out.Len()-at-8))
	}
	return out.Bytes(), nil
}

// recordBytes sums the sizes of a record's buffers.
func recordBytes(r arrow.Record) int64 {
	var n int64
	var walk func(d arrow.ArrayData)
	walk = func(d arrow.ArrayData) {
		for _, b := range d.Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			walk(c)
		}
	}
	for _, c := range r.Columns() {
		walk(c.Data())
	}
	return n
}

// DecodeData reads what EncodeData wrote; the caller releases the records.
// The bytes are checked before and after the Arrow decoder reads them
// (flatbuffer metadata, message and buffer sizes, offsets), so corrupted
// input gives an error, never a panic or a huge allocation. The records
// live in Go-managed memory: arrow/go v17's IPC reader can leak a buffer
// on its error paths, which the garbage collector then reclaims.
func DecodeData(b []byte) (recs []arrow.Record, err error) {
	mem := memory.NewGoAllocator()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("modelstream: decode model data: arrow decoder panicked: %v", r)
		}
		if err != nil {
			for _, r := range recs {
				r.Release()
			}
			recs = nil
		}
	}()
	for i := 0; len(b) > 0; i++ {
		if len(b) < 8 {
			return recs, fmt.Errorf("modelstream: decode model data record %d: truncated length", i)
		}
		n := binary.LittleEndian.Uint64(b)
		b = b[8:]
		if n > uint64(len(b)) || n > maxData {
			return recs, fmt.Errorf("modelstream: decode model data record %d: length %d beyond the %d bytes left", i, n, len(b))
		}
		r, err := readOne(mem, b[:n])
		if err != nil {
			return recs, fmt.Errorf("modelstream: decode model data record %d: %w", i, err)
		}
		recs = append(recs, r)
		b = b[n:]
	}
	return recs, nil
}

// boundedAlloc refuses single allocations larger than the encoded stream
// they are decoded from: without compression no buffer of a valid stream is
// larger, and a corrupted length must not allocate gigabytes.
type boundedAlloc struct {
	memory.Allocator
	max int
}

func (a boundedAlloc) Allocate(n int) []byte {
	if n > a.max {
		panic(fmt.Sprintf("buffer of %d bytes in an ipc stream of %d bytes", n, a.max))
	}
	return a.Allocator.Allocate(n)
}

func (a boundedAlloc) Reallocate(n int, b []byte) []byte {
	if n > a.max {
		panic(fmt.Sprintf("buffer of %d bytes in an ipc stream of %d bytes", n, a.max))
	}
	return a.Allocator.Reallocate(n, b)
}

// checkStream walks the messages of an IPC stream, checking each one's
// metadata (ipcverify) and that its body fits, before the ipc package reads
// them.
func checkStream(b []byte) error {
	for len(b) > 0 {
		if len(b) >= 8 && binary.LittleEndian.Uint32(b) == 0xFFFFFFFF && binary.LittleEndian.Uint32(b[4:]) == 0 ||
			len(b) >= 4 && binary.LittleEndian.Uint32(b) == 0 {
			return nil // end of stream
		}
		meta, rest, err := ipcverify.Framed(b)
		if err != nil {
			return err
		}
		body, err := ipcverify.BodyLength(meta)
		if err != nil {
			return err
		}
		if body > int64(len(rest)) {
			return fmt.Errorf("message body of %d bytes in %d", body, len(rest))
		}
		b = rest[body:]
	}
	return nil
}

func readOne(mem memory.Allocator, b []byte) (arrow.Record, error) {
	if err := checkStream(b); err != nil {
		return nil, err
	}
	rd, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(boundedAlloc{mem, len(b) + 64}))
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	if !rd.Next() {
		if err := rd.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("no record in the ipc stream")
	}
	rec := rd.Record()
	for i, c := range rec.Columns() {
		if err := ipcverify.ValidateArray(c); err != nil {
			return nil, fmt.Errorf("column %q: %w", rec.ColumnName(i), err)
		}
	}
	rec.Retain()
	if rd.Next() {
		rec.Release()
		return nil, errors.New("more than one record in the ipc stream")
	}
	if err := rd.Err(); err != nil {
		rec.Release()
		return nil, err
	}
	return rec, nil
}

// Decode decodes every row of a model stream record (rec is borrowed).
// The caller releases each Version (see DecodeData for the memory).
func Decode(rec arrow.Record) ([]*Version, error) {
	cols, err := table.FieldIndices(rec.Schema(), ColVersion, ColRows, ColLearner, ColModelKind, ColData, ColTime)
	if err != nil {
		return nil, fmt.Errorf("modelstream: decode: %w", err)
	}
	ver, ok1 := rec.Column(cols[0]).(*array.Int64)
	rows, ok2 := rec.Column(cols[1]).(*array.Int64)
	lrn, ok3 := rec.Column(cols[2]).(*array.String)
	kind, ok4 := rec.Column(cols[3]).(*array.String)
	data, ok5 := rec.Column(cols[4]).(*array.Binary)
	ts, ok6 := rec.Column(cols[5]).(*array.Timestamp)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return nil, fmt.Errorf("modelstream: decode: schema %v is not a model stream schema", rec.Schema())
	}
	unit := ts.DataType().(*arrow.TimestampType).Unit
	var out []*Version
	for i := range int(rec.NumRows()) {
		for c, a := range []arrow.Array{ver, rows, lrn, kind, data, ts} {
			if a.IsNull(i) {
				releaseVersions(out)
				return nil, fmt.Errorf("modelstream: decode: column %q row %d is null", rec.Schema().Field(cols[c]).Name, i)
			}
		}
		v := &Version{Version: ver.Value(i), Rows: rows.Value(i), Learner: lrn.Value(i), ModelKind: kind.Value(i),
			Time: ts.Value(i).ToTime(unit).UTC()}
		v.Data, err = DecodeData(data.Value(i))
		if err != nil {
			releaseVersions(out)
			return nil, fmt.Errorf("modelstream: decode row %d (version %d): %w", i, v.Version, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func releaseVersions(vs []*Version) {
	for _, v := range vs {
		v.Release()
	}
}
