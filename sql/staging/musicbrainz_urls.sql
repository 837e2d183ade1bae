-- model: staging.musicbrainz_urls
-- key: entity, entity_id, url
-- The links MusicBrainz editors added from releases and artists to other sites
-- (`inc=url-rels`), with the provider and its id read from the URL where liner knows
-- the site: Spotify, Deezer, Apple Music (and iTunes), Discogs, Amazon (ASIN).
with rels as (
    select 'release' as entity, release_id as entity_id, unnest(json_extract(r, '$.relations[*]')) as rel
    from staging.musicbrainz_release_json
    union all
    select 'artist', body ->> 'id', unnest(json_extract(body, '$.relations[*]'))
    from answers.musicbrainz_artists
),
urls as (
    select distinct entity, entity_id, rel ->> 'type' as relation_type, json_extract_string(rel, '$.url.resource') as url
    from rels
    where rel ->> 'target-type' = 'url'
),
parsed as (
    select
        *,
        nullif(regexp_extract(url, 'open\.spotify\.com/(?:intl-[a-z-]+/)?(?:album|artist)/([A-Za-z0-9]{22})', 1), '') as spotify_id,
        nullif(regexp_extract(url, 'deezer\.com/(?:[a-z]{2}/)?(?:album|artist)/([0-9]+)', 1), '') as deezer_id,
        nullif(regexp_extract(url, '(?:music|itunes)\.apple\.com/[a-z]{2}/(?:album|artist)/(?:[^/?]+/)?(?:id)?([0-9]+)', 1), '') as apple_id,
        nullif(regexp_extract(url, 'discogs\.com/(?:release|artist|master)/([0-9]+)', 1), '') as discogs_id,
        nullif(regexp_extract(url, 'amazon\.[a-z.]+/(?:gp/product|dp)/([A-Z0-9]{10})', 1), '') as asin
    from urls
)
select
    entity,
    entity_id,
    relation_type,
    url,
    case
        when spotify_id is not null then 'spotify'
        when deezer_id is not null then 'deezer'
        when apple_id is not null then 'apple_music'
        when discogs_id is not null then 'discogs'
        when asin is not null then 'amazon'
    end as provider,
    coalesce(spotify_id, deezer_id, apple_id, discogs_id, asin) as provider_id
from parsed
