-- model: canonical.listings
-- key: entity, provider, item_id
-- kind: incremental by canonical_id = canonical.clusters.cluster_id
-- assert: not_null(canonical_id)
-- Every provider's listing of each canonical release and track, with its page there:
-- the app's "Listen on ..." buttons, and what `GET /links` answers for any provider id
-- (Odesli's question, from our own catalog). `canonical_id` is `release_id` or
-- `track_id`.
select c.entity, c.cluster_id as canonical_id, c.provider, c.item_id, i.title, i.artist, i.url
from canonical.clusters c
join intermediate.release_items i using (provider, item_id)
where c.entity = 'release'
union all
select c.entity, c.cluster_id, c.provider, c.item_id, i.title, i.artist, i.url
from canonical.clusters c
join intermediate.track_items i using (provider, item_id)
where c.entity = 'track'
