-- model: staging.musicbrainz_recordings
-- key: recording_id
-- assert: not_null(title)
-- One row per recording from recording lookups and searches (`recordings` array),
-- such as the search by ISRC, and from ISRC lookups (`/isrc/<isrc>`).
-- merge: newest
with pages as (
    select body, fetched_at
    from answers.musicbrainz_recordings
    union all
    select body, fetched_at
    from answers.musicbrainz_isrcs
),
recordings as (
    select
        unnest(case when json_exists(body, '$.recordings') then json_extract(body, '$.recordings[*]') else [body::json] end) as r,
        fetched_at
    from pages
)
select
    r ->> 'id' as recording_id,
    r ->> 'title' as title,
    nullif(r ->> 'disambiguation', '') as disambiguation,
    -- An ISRC lookup lists recordings without their credits: null, not ''.
    nullif(array_to_string(
        list_transform(json_extract(r, '$."artist-credit"[*]'), lambda c: (c ->> 'name') || coalesce(c ->> 'joinphrase', '')),
        ''
    ), '') as artist_credit,
    try_cast(r ->> 'length' as bigint) as length_ms,
    nullif(r ->> 'first-release-date', '') as first_release_date,
    json_extract_string(r, '$.isrcs[*]') as isrcs_raw,
    fetched_at
from recordings
