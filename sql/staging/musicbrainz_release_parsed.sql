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
with pages as (
    -- A lookup's body is one release: written as a page of one, so one shape reads all.
    select
        case when json_exists(body, '$.releases') then body else '{"releases": [' || body || ']}' end as page,
        null::varchar as group_id,
        fetched_at, raw_file,
        1 as whole
    from answers.musicbrainz_releases
    union all
    select body, body ->> 'id', fetched_at, raw_file,
        -- A group's list of editions lacks what a release's own page has.
        0
    from answers.musicbrainz_release_groups
    where json_exists(body, '$.releases')
),
releases as (
    select
        unnest(from_json(page, '{"releases": [{"id": "VARCHAR", "release-group": {"id": "VARCHAR"},
            "title": "VARCHAR", "disambiguation": "VARCHAR", "status": "VARCHAR", "date": "VARCHAR",
            "country": "VARCHAR", "barcode": "VARCHAR",
            "label-info": [{"label": {"name": "VARCHAR"}, "catalog-number": "VARCHAR"}],
            "artist-credit": [{"name": "VARCHAR", "joinphrase": "VARCHAR"}],
            "media": [{"position": "VARCHAR", "track-count": "VARCHAR",
                "tracks": [{"id": "VARCHAR", "position": "VARCHAR", "title": "VARCHAR", "length": "VARCHAR",
                    "artist-credit": [{"name": "VARCHAR", "joinphrase": "VARCHAR"}],
                    "recording": {"id": "VARCHAR", "disambiguation": "VARCHAR", "isrcs": ["VARCHAR"]}}]}],
            "tags": [{"name": "VARCHAR", "count": "VARCHAR"}],
            "relations": [{"type": "VARCHAR", "target-type": "VARCHAR", "url": {"resource": "VARCHAR"}}]}]}').releases) as r,
        group_id, fetched_at, raw_file, whole
    from pages
)
select r.id as release_id, coalesce(group_id, r."release-group".id) as release_group_id, r, whole, fetched_at, raw_file
from releases
