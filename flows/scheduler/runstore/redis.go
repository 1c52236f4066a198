package runstore

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps each run in a Redis list KEY run:ID whose elements
// are JSON batches of records: Append is one RPUSH, atomic. Runs are
// indexed in sorted sets (all runs, and per flow) by id.
type RedisStore struct {
	c        *redis.Client
	prefix   string
	leaseTTL time.Duration
}

var _ Store = (*RedisStore)(nil)

// DefaultRedisPrefix starts every key.
const DefaultRedisPrefix = "eddy:flows:"

// OpenRedis connects to redis://host:port/db[?prefix=P].
func OpenRedis(ctx context.Context, rawURL string) (*RedisStore, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	prefix := DefaultRedisPrefix
	if p := u.Query().Get("flows_prefix"); p != "" {
		prefix = p
	}
	q := u.Query()
	q.Del("prefix")
	q.Del("flows_prefix")
	u.RawQuery = q.Encode()
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	c := redis.NewClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("run store: redis %s: %w", opts.Addr, err)
	}
	return NewRedis(c, prefix), nil
}

// NewRedis wraps a client.
func NewRedis(c *redis.Client, prefix string) *RedisStore { return &RedisStore{c: c, prefix: prefix} }

func (s *RedisStore) runKey(id string) string     { return s.prefix + "run:" + id }
func (s *RedisStore) indexKey(flow string) string { return s.prefix + "runs:" + flow }

// Create implements Store.
func (s *RedisStore) Create(ctx context.Context, flow, id string, recs []Record) error {
	if err := checkID(id); err != nil {
		return err
	}
	data, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	_, err = s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, s.runKey(id), data)
		p.ZAdd(ctx, s.indexKey(""), redis.Z{Member: id})
		p.ZAdd(ctx, s.indexKey(flow), redis.Z{Member: id})
		return nil
	})
	if err != nil {
		return fmt.Errorf("run store: create run %s: %w", id, err)
	}
	return nil
}

// Append implements Store.
func (s *RedisStore) Append(ctx context.Context, id string, recs ...Record) error {
	if len(recs) == 0 {
		return nil
	}
	data, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	if err := s.c.RPush(ctx, s.runKey(id), data).Err(); err != nil {
		return fmt.Errorf("run store: append to %s: %w", id, err)
	}
	return nil
}

// Records implements Store.
func (s *RedisStore) Records(ctx context.Context, id string) ([]Record, error) {
	items, err := s.c.LRange(ctx, s.runKey(id), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("run store: %s: %w", id, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("run store: %s: %w", id, ErrNotFound)
	}
	var out []Record
	for i, it := range items {
		var recs []Record
		if err := json.Unmarshal([]byte(it), &recs); err != nil {
			return nil, fmt.Errorf("run store: %s: batch %d: %w", id, i, err)
		}
		out = append(out, recs...)
	}
	return out, nil
}

// Runs implements Store.
func (s *RedisStore) Runs(ctx context.Context, flow string) ([]string, error) {
	ids, err := s.c.ZRange(ctx, s.indexKey(flow), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	return sortIDs(ids), nil
}

// Close implements Store.
func (s *RedisStore) Close() error { return s.c.Close() }
