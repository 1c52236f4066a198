package ipcverify

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func TestValidateRejectsBadBuffers(t *testing.T) {

	short := memory.NewBufferBytes(make([]byte, 8))
	offs := memory.NewBufferBytes([]byte{0, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0}) // 0, 5, 2: decreasing
	vals := memory.NewBufferBytes([]byte("hello"))
	for i, tc := range []struct {
		data arrow.ArrayData
		err  string
	}{
		0: {array.NewData(arrow.PrimitiveTypes.Float64, 3, []*memory.Buffer{nil, short}, nil, 0, 0), "buffer 1 has 8 bytes, need 24"},
		1: {array.NewData(arrow.BinaryTypes.String, 2, []*memory.Buffer{nil, offs, vals}, nil, 0, 0), "offsets decrease"},
		2: {array.NewData(arrow.BinaryTypes.String, 1, []*memory.Buffer{nil, offs, memory.NewBufferBytes([]byte("hi"))}, nil, 0, 0), "buffer 2 has 2 bytes, need 5"},
		3: {array.NewData(arrow.FixedSizeListOf(4, arrow.PrimitiveTypes.Float64), 1, []*memory.Buffer{nil},
			[]arrow.ArrayData{array.NewData(arrow.PrimitiveTypes.Float64, 1, []*memory.Buffer{nil, short}, nil, 0, 0)}, 0, 0), "child has 1 values, need 4"},
		4: {array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Float64), 1, []*memory.Buffer{nil, memory.NewBufferBytes([]byte{0, 0, 0, 0, 9, 0, 0, 0})},
			[]arrow.ArrayData{array.NewData(arrow.PrimitiveTypes.Float64, 1, []*memory.Buffer{nil, short}, nil, 0, 0)}, 0, 0), "offset 9 past the 1 child values"},
		5: {array.NewData(arrow.FixedWidthTypes.Boolean, 100, []*memory.Buffer{nil, short}, nil, 0, 0), "need 13"},
		6: {array.NewData(arrow.PrimitiveTypes.Int64, 2, []*memory.Buffer{short, memory.NewBufferBytes(make([]byte, 16))}, nil, 1, 1), "need 24"},
	} {
		err := validateData(tc.data, 0)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%d: validate = %v, want %q", i, err, tc.err)
		}
	}
}
