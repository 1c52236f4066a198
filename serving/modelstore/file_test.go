package modelstore_test

import (
	"testing"

	"github.com/eddyml/eddy/serving/modelstore"
	"github.com/eddyml/eddy/serving/modelstore/storetest"
)

func TestFileConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) modelstore.Store {
		s, err := modelstore.OpenDir(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
