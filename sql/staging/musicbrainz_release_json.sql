-- model: staging.musicbrainz_release_json
-- key: release_id
-- merge: by whole, then newest row
-- The newest JSON of each MusicBrainz release, from browse pages (`releases` array),
-- lookups (the release itself) and release-group lookups with `inc=releases` (whose
-- releases do not name their group: it is added). The release and track models read it.
with pages as (
    select body, fetched_at, raw_file
    from answers.musicbrainz_releases
),
releases as (
    select
        unnest(case when json_exists(body, '$.releases') then json_extract(body, '$.releases[*]') else [body::json] end) as r,
        fetched_at, raw_file,
        1 as whole
    from pages
    union all
    select
        json_merge_patch(unnest(json_extract(body, '$.releases[*]')), json_object('release-group', json_object('id', body ->> 'id'))),
        fetched_at, raw_file,
        -- A group's list of editions lacks what a release's own page has.
        0
    from answers.musicbrainz_release_groups
    where json_exists(body, '$.releases')
)
select r ->> 'id' as release_id, r, whole, fetched_at, raw_file
from releases
