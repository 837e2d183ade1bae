-- model: staging.musicbrainz_artists
-- key: artist_id
-- assert: not_null(name)
-- One row per artist, from lookups (preferred: they carry the rating) and from search
-- hits (with the best score seen).
-- merge: by whole, then newest
-- kind: full
-- Rebuilt whole, not merged by key from the new answers alone: the best score is read
-- across all of an artist's answers.
with lookups as (
    select body::json as a, fetched_at, null::integer as score, 1 as whole
    from answers.musicbrainz_artists
),
hits as (
    select unnest(json_extract(body, '$.artists[*]')) as a, fetched_at
    from answers.musicbrainz_artist_search
),
artists as (
    select a, fetched_at, try_cast(a ->> 'score' as integer) as score, 0 as whole from hits
    union all
    select a, fetched_at, score, whole from lookups
)
select
    a ->> 'id' as artist_id,
    a ->> 'name' as name,
    a ->> 'sort-name' as sort_name,
    nullif(a ->> 'disambiguation', '') as disambiguation,
    a ->> 'type' as type,
    a ->> 'country' as country,
    try_cast(json_extract_string(a, '$.rating.value') as double) as rating,
    try_cast(json_extract_string(a, '$.rating."votes-count"') as integer) as rating_votes,
    max(score) over (partition by a ->> 'id') as best_search_score,
    fetched_at, whole
from artists
