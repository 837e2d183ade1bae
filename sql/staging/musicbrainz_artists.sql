-- model: staging.musicbrainz_artists
-- key: artist_id
-- assert: not_null(name)
-- One row per artist, from lookups (preferred: they carry the rating) and from search
-- hits (with the best score seen).
with lookups as (
    select body::json as a, fetched_at, null::integer as score, 1 as whole
    from raw.musicbrainz_artists
    where status = 200 and json_valid(body)
),
hits as (
    select unnest(json_extract(body, '$.artists[*]')) as a, fetched_at
    from raw.musicbrainz_artist_search
    where status = 200 and json_valid(body)
),
artists as (
    select a, fetched_at, try_cast(a ->> 'score' as integer) as score, 0 as whole from hits
    union all
    select a, fetched_at, score, whole from lookups
),
answers as (
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
)
-- Each field from the best answer that has it: by `whole`, then the newest (README: Models).
select artist_id, arg_max(columns(* exclude (artist_id, whole)), answer_order(whole, fetched_at))
from answers
group by artist_id
