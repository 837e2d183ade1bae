-- model: staging.musicbrainz_facts
-- materialized: view
-- What MusicBrainz says of its releases, field by field: label and catalog number (the
-- second source for them, after the labels' own Discogs pages), and genres: the tags
-- with votes on the release and on its release group.
select 'release' as entity, release_id as item_id, 'label' as field, label as value, 2 as precedence
from staging.musicbrainz_releases
union all
select 'release', release_id, 'catalog_number', catalog_number, 2 from staging.musicbrainz_releases
union all
select 'release', t.entity_id, 'genre', t.tag, null
from staging.musicbrainz_tags t
where t.entity = 'release' and coalesce(t.votes, 1) > 0
union all
select 'release', r.release_id, 'genre', t.tag, null
from staging.musicbrainz_releases r
join staging.musicbrainz_tags t on t.entity = 'release_group' and t.entity_id = r.release_group_id
where coalesce(t.votes, 1) > 0
