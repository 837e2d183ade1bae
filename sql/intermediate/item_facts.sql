-- model: intermediate.item_facts
-- materialized: view
-- What each provider says of its releases and tracks, one fact a row, for the fields
-- canonical.fields chooses field by field: release dates, label and catalog number,
-- genres and tags, and the explicit flag (`true` / `false`). As given; an empty value
-- is no fact. Genres: MusicBrainz's tags on the release and its release group, Last.fm's
-- album tags, Discogs' genres and styles, and Beatport's genre of each track (a release
-- has its tracks' genres).
with release_facts as (
    select provider, item_id, 'release_date' as field, release_date as value
    from intermediate.release_items
    union all
    select 'musicbrainz', release_id, 'label', label from staging.musicbrainz_releases
    union all
    select 'musicbrainz', release_id, 'catalog_number', catalog_number from staging.musicbrainz_releases
    union all
    select 'discogs', release_id::varchar, 'label', label from staging.discogs_releases
    union all
    select 'discogs', release_id::varchar, 'catalog_number', catalog_number from staging.discogs_releases
    union all
    select 'beatport', release_id::varchar, 'label', label from staging.beatport_releases
    union all
    select 'beatport', release_id::varchar, 'catalog_number', catalog_number from staging.beatport_releases
    union all
    select 'spotify', album_id, 'label', label from staging.spotify_albums
    union all
    select 'deezer', album_id::varchar, 'label', label from staging.deezer_albums
    union all
    select 'apple_music', album_id, 'label', label from staging.apple_music_albums
    union all
    select 'musicbrainz', t.entity_id, 'genre', t.tag from staging.musicbrainz_tags t
    where t.entity = 'release' and coalesce(t.votes, 1) > 0
    union all
    select 'musicbrainz', r.release_id, 'genre', t.tag
    from staging.musicbrainz_releases r
    join staging.musicbrainz_tags t on t.entity = 'release_group' and t.entity_id = r.release_group_id
    where coalesce(t.votes, 1) > 0
    union all
    select 'lastfm', url, 'genre', unnest(string_split(tags, ', ')) from staging.lastfm_albums
    union all
    select 'discogs', release_id::varchar, 'genre', unnest(string_split(genres, ', ')) from staging.discogs_releases
    union all
    select 'discogs', release_id::varchar, 'genre', unnest(string_split(styles, ', ')) from staging.discogs_releases
    union all
    select 'beatport', release_id::varchar, 'genre', genre from staging.beatport_tracks
    union all
    select 'deezer', album_id::varchar, 'explicit', explicit::varchar from staging.deezer_albums
    union all
    select 'apple_music', album_id, 'explicit', explicit::varchar from staging.apple_music_albums
    union all
    select 'itunes', collection_id::varchar, 'explicit', explicit::varchar from staging.itunes_albums
    union all
    -- Spotify flags tracks, not albums: an album with an explicit track is explicit.
    select 'spotify', album_id, 'explicit', bool_or(explicit)::varchar from staging.spotify_tracks group by album_id
),
track_facts as (
    select 'spotify' as provider, track_id as item_id, 'explicit' as field, explicit::varchar as value
    from staging.spotify_tracks
    union all
    select 'deezer', track_id::varchar, 'explicit', explicit::varchar from staging.deezer_tracks
    union all
    select 'apple_music', song_id, 'explicit', explicit::varchar from staging.apple_music_tracks
    union all
    select 'itunes', track_id::varchar, 'explicit', explicit::varchar from staging.itunes_tracks where kind = 'song'
    union all
    select 'beatport', track_id::varchar, 'genre', genre from staging.beatport_tracks
)
-- One row a fact: each staging model gives an item one value of each field, so only
-- the lists split into genres (and a tag on a release and its group) can repeat.
select 'release' as entity, provider, item_id, field, trim(value) as value
from release_facts
where field <> 'genre' and item_id is not null and nullif(trim(value), '') is not null
union all
select distinct 'release', provider, item_id, field, trim(value)
from release_facts
where field = 'genre' and item_id is not null and nullif(trim(value), '') is not null
union all
select 'track', provider, item_id, field, trim(value)
from track_facts
where field <> 'genre' and item_id is not null and nullif(trim(value), '') is not null
union all
select distinct 'track', provider, item_id, field, trim(value)
from track_facts
where field = 'genre' and item_id is not null and nullif(trim(value), '') is not null
