package csv

import (
	"bytes"
	"io"
)

// chunk is a run of whole rows cut from the input.
type chunk struct {
	data []byte
	rows int   // data rows in data (blank lines not counted)
	line int64 // 1-based physical line of data[0]
}

// splitter reads the input in big blocks and cuts it into chunks of whole
// rows, batch rows each. It finds row ends with bytes.IndexByte and falls
// back to field-by-field scanning (scanField, the parser's own rules) only
// for rows that contain a quote, so a quoted newline never splits a row.
type splitter struct {
	r     io.Reader
	sep   byte
	batch int
	skip  int64 // data rows still to drop before the first chunk

	buf   []byte
	start int // first byte of the current chunk
	pos   int // start of the next row to find
	rows  int
	line  int64 // physical line at pos
	cline int64 // physical line at start
	eof   bool
	err   error

	qpos, qfrom, qend int // cached IndexByte of '"' over buf[qfrom:qend]
	readSize          int
	lastSize          int
}

const minReadSize = 1 << 20

func newSplitter(r io.Reader, sep byte, batch int, line int64, initial []byte) *splitter {
	s := &splitter{r: r, sep: sep, batch: batch, line: line, cline: line, readSize: minReadSize, qpos: -1}
	s.buf = make([]byte, len(initial), max(len(initial)+minReadSize, 2*minReadSize))
	copy(s.buf, initial)
	return s
}

// fill reads more input into buf, growing it when needed.
func (s *splitter) fill() {
	if cap(s.buf)-len(s.buf) < s.readSize/2 {
		nb := make([]byte, len(s.buf), max(2*cap(s.buf), len(s.buf)+s.readSize))
		copy(nb, s.buf)
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if err == io.EOF {
		s.eof = true
	} else if err != nil {
		s.eof = true
		s.err = err
	}
}

// quoteAt returns the index of the first '"' in buf at or after from, or -1.
func (s *splitter) quoteAt(from int) int {
	if from >= s.qfrom && ((s.qpos >= from) || (s.qpos < 0 && s.qend == len(s.buf))) {
		return s.qpos
	}
	s.qfrom, s.qend = from, len(s.buf)
	s.qpos = bytes.IndexByte(s.buf[from:], '"')
	if s.qpos >= 0 {
		s.qpos += from
	}
	return s.qpos
}

// next returns the next chunk, or nil at the end of the input (check s.err).
func (s *splitter) next() *chunk {
	for {
		if s.rows == s.batch {
			return s.cut()
		}
		if s.pos >= len(s.buf) {
			if s.eof {
				if s.rows > 0 {
					return s.cut()
				}
				return nil
			}
			s.fill()
			continue
		}
		if n, blank := isBlank(s.buf, s.pos); blank {
			if n == len(s.buf) && s.buf[n-1] == '\r' && !s.eof {
				s.fill()
				continue
			}
			s.pos = n
			s.line++
			if s.skip > 0 && s.rows == 0 {
				s.start, s.cline = s.pos, s.line
			}
			continue
		}
		var next, lines int
		k := bytes.IndexByte(s.buf[s.pos:], '\n')
		q := s.quoteAt(s.pos)
		if q < 0 || (k >= 0 && q > s.pos+k) {
			if k < 0 {
				if !s.eof {
					s.fill()
					continue
				}
				next = len(s.buf)
			} else {
				next = s.pos + k + 1
			}
		} else {
			next, lines = skipRow(s.buf, s.pos, s.sep)
			if next >= len(s.buf) && !s.eof {
				s.fill()
				continue
			}
		}
		s.pos = next
		s.line += 1 + int64(lines)
		if s.skip > 0 {
			s.skip--
			s.start, s.cline = s.pos, s.line
			continue
		}
		s.rows++
	}
}

// cut hands buf[start:pos] out as a chunk and moves the rest to a new buffer.
func (s *splitter) cut() *chunk {
	c := &chunk{data: s.buf[s.start:s.pos:s.pos], rows: s.rows, line: s.cline}
	size := s.pos - s.start
	if size > s.lastSize {
		s.lastSize = size
	}
	rest := s.buf[s.pos:]
	nb := make([]byte, len(rest), max(s.lastSize+s.lastSize/8+s.readSize, len(rest)+s.readSize))
	copy(nb, rest)
	s.buf = nb
	s.start, s.pos, s.rows = 0, 0, 0
	s.cline = s.line
	s.qpos, s.qfrom, s.qend = -1, 0, 0
	return c
}
