-- model: staging.musicbrainz_recordings
-- key: recording_id
-- assert: not_null(title)
-- One row per recording from recording lookups and searches (`recordings` array),
-- such as the search by ISRC, and from ISRC lookups (`/isrc/<isrc>`).
with pages as (
    select body, fetched_at
    from raw.musicbrainz_recordings
    where status = 200 and json_valid(body)
    union all
    select body, fetched_at
    from raw.musicbrainz_isrcs
    where status = 200 and json_valid(body)
),
recordings as (
    select
        unnest(case when json_exists(body, '$.recordings') then json_extract(body, '$.recordings[*]') else [body::json] end) as r,
        fetched_at
    from pages
),
answers as (
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
)
-- Each field from the newest answer that has it (README: Models).
select recording_id, arg_max(columns(* exclude (recording_id)), fetched_at)
from answers
group by recording_id
