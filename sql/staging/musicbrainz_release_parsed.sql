-- model: staging.musicbrainz_release_parsed
-- key: release_id
-- merge: by whole, then newest row
-- The newest answer for each MusicBrainz release, parsed once into what liner reads
-- of it (`r`: title, credits, label, media and tracks, tags, url relations), from
-- browse pages (`releases` array), lookups (the release itself) and release-group
-- lookups with `inc=releases` (whose releases do not name their group:
-- `release_group_id` adds it). The release, track, tag and url models read `r`.
-- Parsed, not kept as JSON: at a million releases the JSON text took 1.8 GB to write
-- and every reader parsed it again. The raw lake keeps every answer whole.
-- The shape is the recorded one (../shared/fixtures/real/musicbrainz); numbers are read
-- as text and cast by the readers, as a provider's type is not promised.
with bodies as (
    -- Read from the lake, not from `answers`: a body that is not JSON is skipped by
    -- `try` below, so it is parsed once, not validated first (a second of the million).
    select body, null::varchar as group_id, fetched_at, raw_file, 1 as whole
    from raw.musicbrainz_releases
    where status = 200
    union all
    -- A group's list of editions lacks what a release's own page has; a group's browse
    -- page has no `releases`, and is not one release either.
    select body, body ->> 'id', fetched_at, raw_file, 0
    from answers.musicbrainz_release_groups
    where json_exists(body, '$.releases')
),
releases as (
    -- A browse page lists `releases`; a lookup's body is one release (json_list).
    select
        unnest(try(json_list(body, 'releases', '{"releases": [{"id": "VARCHAR", "release-group": {"id": "VARCHAR"},
            "title": "VARCHAR", "disambiguation": "VARCHAR", "status": "VARCHAR", "date": "VARCHAR",
            "country": "VARCHAR", "barcode": "VARCHAR",
            "label-info": [{"label": {"name": "VARCHAR"}, "catalog-number": "VARCHAR"}],
            "artist-credit": [{"name": "VARCHAR", "joinphrase": "VARCHAR"}],
            "media": [{"position": "VARCHAR", "track-count": "VARCHAR",
                "tracks": [{"id": "VARCHAR", "position": "VARCHAR", "title": "VARCHAR", "length": "VARCHAR",
                    "artist-credit": [{"name": "VARCHAR", "joinphrase": "VARCHAR"}],
                    "recording": {"id": "VARCHAR", "disambiguation": "VARCHAR", "isrcs": ["VARCHAR"]}}]}],
            "tags": [{"name": "VARCHAR", "count": "VARCHAR"}],
            "relations": [{"type": "VARCHAR", "target-type": "VARCHAR", "url": {"resource": "VARCHAR"}}]}]}'))) as r,
        group_id, fetched_at, raw_file, whole
    from bodies
)
select r.id as release_id, coalesce(group_id, r."release-group".id) as release_group_id, r, whole, fetched_at, raw_file
from releases
-- An answer with no id (`"releases": null`) is no release.
where r.id is not null
