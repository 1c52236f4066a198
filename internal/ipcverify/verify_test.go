package ipcverify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func sample(t *testing.T, stream bool) []byte {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Metadata: arrow.NewMetadata([]string{"k"}, []string{"v"})},
		{Name: "s", Type: arrow.StructOf(arrow.Field{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}})},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues([]float64{1, 2}, nil)
	sb := b.Field(1).(*array.StructBuilder)
	sb.AppendValues([]bool{true, true})
	sb.FieldBuilder(0).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1, 2}, nil)
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	var err error
	if stream {
		w := ipc.NewWriter(&buf, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		err = errors.Join(w.Write(rec), w.Close())
	} else {
		var w *ipc.FileWriter
		if w, err = ipc.NewFileWriter(&seekBuf{Buffer: &buf}, ipc.WithSchema(schema), ipc.WithAllocator(mem)); err == nil {
			err = errors.Join(w.Write(rec), w.Close())
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type seekBuf struct{ *bytes.Buffer }

func (s *seekBuf) Seek(off int64, whence int) (int64, error) { return int64(s.Len()), nil }

func TestValid(t *testing.T) {
	file := sample(t, false)
	if err := File(bytes.NewReader(file), int64(len(file))); err != nil {
		t.Fatal(err)
	}
	rest := sample(t, true)
	for i := 0; len(rest) > 8; i++ {
		meta, after, err := Framed(rest)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		body, err := BodyLength(meta)
		if err != nil || body > int64(len(after)) {
			t.Fatalf("message %d: body %d of %d: %v", i, body, len(after), err)
		}
		rest = after[body:]
	}
}

func TestCorrupt(t *testing.T) {
	file := sample(t, false)
	stream := sample(t, true)
	meta, _, err := Framed(stream)
	if err != nil {
		t.Fatal(err)
	}
	// Find the fields vector length (2) in the schema message and make it
	// huge: the verifier must refuse what ipc would allocate.
	hugeVec := func(b []byte) []byte {
		out := bytes.Clone(b)
		for i := 0; i+4 <= len(out); i += 4 {
			if binary.LittleEndian.Uint32(out[i:]) == 2 {
				binary.LittleEndian.PutUint32(out[i:], 1<<30)
				if Message(out) != nil {
					return out
				}
				binary.LittleEndian.PutUint32(out[i:], 2)
			}
		}
		t.Fatal("no vector length could be corrupted")
		return nil
	}
	for i, tc := range []struct {
		name string
		err  error
	}{
		{"short message", Message(meta[:3])},
		{"huge vector", Message(hugeVec(meta))},
		{"truncated file", File(bytes.NewReader(file[:len(file)-1]), int64(len(file)-1))},
		{"footer length", func() error {
			b := bytes.Clone(file)
			binary.LittleEndian.PutUint32(b[len(b)-10:], 1<<30)
			return File(bytes.NewReader(b), int64(len(b)))
		}()},
		{"framed length", func() error { _, _, err := Framed([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}); return err }()},
	} {
		if !errors.Is(tc.err, ErrCorrupt) {
			t.Errorf("%d %s: got %v, want ErrCorrupt", i, tc.name, tc.err)
		}
	}
}
