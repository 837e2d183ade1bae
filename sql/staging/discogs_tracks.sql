-- model: staging.discogs_tracks
-- key: release_id, ordinal
-- assert: not_null(title)
-- One row per track of a Discogs tracklist, in order. Headings ("Bonus Tracks") are
-- not tracks; an index track (a suite) stands for its sub-tracks, which are listed
-- instead. Positions are as printed (A1, B2, 1-3); durations "m:ss" or blank.
with entries as (
    select release_id, raw_file, unnest(json_extract(r, '$.tracklist[*]')) as t, generate_subscripts(json_extract(r, '$.tracklist[*]'), 1) as entry
    from staging.discogs_release_json
),
tracks as (
    select release_id, raw_file, entry, 0 as sub, t from entries where coalesce(t ->> 'type_', 'track') = 'track'
    union all
    select release_id, raw_file, entry, generate_subscripts(json_extract(t, '$.sub_tracks[*]'), 1), unnest(json_extract(t, '$.sub_tracks[*]'))
    from entries
    where t ->> 'type_' = 'index'
)
select
    release_id,
    row_number() over (partition by release_id order by entry, sub) as ordinal,
    nullif(t ->> 'position', '') as position,
    t ->> 'title' as title,
    nullif(t ->> 'duration', '') as duration,
    case when regexp_matches(t ->> 'duration', '^\d+:\d{2}$')
        then split_part(t ->> 'duration', ':', 1)::integer * 60 + split_part(t ->> 'duration', ':', 2)::integer
    end as duration_s,
    nullif(array_to_string(list_transform(json_extract(t, '$.artists[*]'), lambda a: regexp_replace(a ->> 'name', ' \(\d+\)$', '')), ', '), '') as artist_credit,
    raw_file
from tracks
