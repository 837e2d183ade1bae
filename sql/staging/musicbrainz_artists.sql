-- model: staging.musicbrainz_artists
-- key: artist_id
-- assert: not_null(name)
-- One row per artist, from lookups and from search hits (with the best score seen).
with lookups as (
    select body::json as a, fetched_at, null::integer as score
    from raw.musicbrainz_artists
    where status = 200 and json_valid(body)
),
hits as (
    select unnest(json_extract(body, '$.artists[*]')) as a, fetched_at, null::integer as score
    from raw.musicbrainz_artist_search
    where status = 200 and json_valid(body)
),
artists as (
    select a, fetched_at, try_cast(a ->> 'score' as integer) as score from hits
    union all
    select a, fetched_at, score from lookups
)
select
    a ->> 'id' as artist_id,
    a ->> 'name' as name,
    a ->> 'sort-name' as sort_name,
    nullif(a ->> 'disambiguation', '') as disambiguation,
    a ->> 'type' as type,
    a ->> 'country' as country,
    max(score) over (partition by a ->> 'id') as best_search_score,
    fetched_at
from artists
qualify row_number() over (partition by a ->> 'id' order by fetched_at desc) = 1
