//go:build !unix

package modelstore

import (
	"errors"
	"os"
)

func flock(f *os.File) error {
	return errors.New("the file store needs flock (a unix system)")
}

func funlock(f *os.File) {}
