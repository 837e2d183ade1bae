-- model: staging.musicbrainz_urls
-- key: entity, entity_id, url
-- The links MusicBrainz editors added from releases and artists to other sites
-- (`inc=url-rels`), with the provider and its id read from the URL where liner knows
-- the site: Spotify, Deezer, Apple Music (and iTunes), Discogs, Amazon (ASIN).
with urls as (
    select distinct entity, entity_id, relation_type, url
    from (
        select 'release' as entity, release_id as entity_id, rel.type as relation_type, rel.url.resource as url, rel."target-type" as target
        from (select release_id, unnest(r.relations) as rel from staging.musicbrainz_release_parsed)
        union all
        select 'artist', id, rel ->> 'type', json_extract_string(rel, '$.url.resource'), rel ->> 'target-type'
        from (select body ->> 'id' as id, unnest(json_extract(body, '$.relations[*]')) as rel from answers.musicbrainz_artists)
    )
    where target = 'url'
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
